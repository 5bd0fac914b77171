from django.utils.translation import gettext as _
from rest_framework import pagination
from rest_framework.exceptions import ValidationError


class PageNumberPagination(pagination.PageNumberPagination):
    """`?page=2&page_size=100`; 50 a page unless asked, never more than 200. A page size that
    is not a number from 1 to 200 is a 400, not quietly the default."""

    page_size_query_param = "page_size"
    max_page_size = 200

    def get_page_size(self, request):
        values = request.query_params.getlist(self.page_size_query_param)
        if not values:
            return self.page_size
        if len(values) == 1 and values[0].isdigit() and 1 <= int(values[0]) <= self.max_page_size:
            return int(values[0])
        raise ValidationError(
            {
                self.page_size_query_param: [
                    _("Give one whole number from 1 to %(max)d.") % {"max": self.max_page_size}
                ]
            }
        )

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        for parameter in parameters:
            if parameter["name"] == self.page_query_param:
                parameter["schema"] = {"type": "integer", "minimum": 1}
            elif parameter["name"] == self.page_size_query_param:
                parameter["schema"] = {
                    "type": "integer",
                    "minimum": 1,
                    "maximum": self.max_page_size,
                }
        return parameters
