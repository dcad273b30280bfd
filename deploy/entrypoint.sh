#!/bin/sh
# Container entry point: the same commands as `make serve`, one process per container.
#   migrate                         python manage.py migrate (run once before the others)
#   web | reminders | exports | beat  the line of that name in the Procfile (less bin/respawn)
#   anything else                   run as given (e.g. python manage.py createsuperuser)
set -eu
export WORKERS="${WORKERS:-2}" EXPORT_WORKERS="${EXPORT_WORKERS:-1}"
case "${1:-web}" in
  migrate)
    exec python manage.py migrate --noinput
    ;;
  web | reminders | exports | beat)
    # Without bin/respawn: the container's restart policy restarts it, and `docker stop`
    # signals PID 1 only, which must then be the process itself.
    line="$(sed -n "s/^$1: //p" Procfile | sed 's|exec bin/respawn |exec |')"
    if [ -n "${ENTRYPOINT_PRINT:-}" ]; then  # tests/config/test_deploy.py: show, don't run
      echo "$line"
      exit 0
    fi
    exec sh -c "$line"
    ;;
  *)
    exec "$@"
    ;;
esac
