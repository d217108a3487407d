from ninja import Router

from novasaas.platform.api import module_auth

router = Router(tags=["parties"], auth=module_auth(None))
