#!/bin/sh
# Container entry point: the same commands as `make serve`, one process per container.
#   migrate                         python manage.py migrate (run once before the others)
#   web | reminders | exports | beat  the line of that name in the Procfile, unchanged
#   anything else                   run as given (e.g. python manage.py createsuperuser)
set -eu
export WORKERS="${WORKERS:-2}" EXPORT_WORKERS="${EXPORT_WORKERS:-1}"
case "${1:-web}" in
  migrate)
    exec python manage.py migrate --noinput
    ;;
  web | reminders | exports | beat)
    line="$(sed -n "s/^$1: //p" Procfile)"
    exec sh -c "$line"
    ;;
  *)
    exec "$@"
    ;;
esac
