"""Admin helpers shared by the traceability staff views.

Who may see which farms and lots is not decided here: the roles are in
`market.access`, the admin policies and the viewset base that scopes every
view in `market.staff.access`, and the selectors (`farms_visible_to`,
`lots_visible_to`) filter the hand-written views by the same roles, so a
farmer never sees, opens or downloads another farmer's rows, even by typing
a URL.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction


class ServiceCreateMixin:
    """A generic CreateView whose `save_instance` calls a service: the
    service's ValidationError goes back to the form instead of a 500."""

    def form_valid(self, form):
        self.form = form
        try:
            with transaction.atomic():
                self.object = self.save_instance()
        except ValidationError as exc:
            form.add_error(None, exc)
            self.produced_error_message = " ".join(exc.messages)
            return self.form_invalid(form)
        response = self.save_action()
        hook_response = self.run_after_hook()
        return hook_response if hook_response is not None else response
