from ninja import Router

from novasaas.platform.api import module_auth

router = Router(tags=["inventory"], auth=module_auth("INV"))
