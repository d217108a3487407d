from ninja import Router

from novasaas.platform.api import module_auth

router = Router(tags=["accounting"], auth=module_auth("ACC"))
