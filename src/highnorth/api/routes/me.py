"""`/me`: who the token belongs to (name, role, a requester's nation) and what the role may do,
so a face offers only the actions the user may take (the server still checks each). Use case:
`service.admin.who_am_i`."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends

from ...service.admin import who_am_i
from ...workflow.access import Principal
from ..deps import Allowed
from ..models import MeOut
from ..openapi import ERRORS

router = APIRouter(tags=["users"], responses=ERRORS)


@router.get("/me", response_model=MeOut)
def me(who: Annotated[Principal, Depends(Allowed("self.read"))]) -> MeOut:
    """The signed-in user: name, role, nation (requesters) and the permissions of the role."""
    return MeOut(**who_am_i(who))
