from rest_framework.routers import SimpleRouter

from search.api import SearchViewSet

router = SimpleRouter(use_regex_path=False)
router.register("search", SearchViewSet, basename="search")
urlpatterns = router.urls
