"""The public side of the survey: its landing page, the catalogue of records with its map, a record's page."""

from django import forms
from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from cittasmart.core.ambiti import Ambito
from cittasmart.core.pagecache import cache_anonymous_page
from cittasmart.core.pagination import paginate, querystring_without_page
from cittasmart.stakeholders.models import OwnerType
from cittasmart.survey import catalogue
from cittasmart.survey.models import RecordKind, RecordStatus
from cittasmart.survey.selectors import invitations_for_user


class CatalogueFilterForm(forms.Form):
    """The filters of the catalogue, read from the query string. A value it does not know is reported on the
    page and left out of the search; it never breaks the page."""

    q = forms.CharField(label=_("Search in titles and descriptions"), max_length=200, required=False)
    ambito = forms.ChoiceField(
        label=_("Domain"), choices=[("", _("All domains")), *Ambito.choices], required=False
    )
    impact = forms.BooleanField(label=_("Also records with an impact on this domain"), required=False)
    owner = forms.ModelChoiceField(
        label=_("Organisation"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All organisations"),
    )
    owner_type = forms.ChoiceField(
        label=_("Type of organisation"), choices=[("", _("All types")), *OwnerType.choices], required=False
    )
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[("", _("Projects and ideas")), *RecordKind.choices], required=False
    )
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", _("Any status")), *RecordStatus.choices], required=False
    )
    audience = forms.ChoiceField(
        label=_("Addressed to"), choices=[("", _("Anyone")), *catalogue.AUDIENCES], required=False
    )
    round = forms.ModelChoiceField(
        label=_("Survey round"),
        queryset=None,
        to_field_name="slug",
        required=False,
        empty_label=_("All rounds"),
    )
    sort = forms.ChoiceField(label=_("Sort by"), choices=catalogue.SORTS, required=False)
    reserved = forms.BooleanField(
        label=_("Include reserved and not yet validated records you may see"), required=False
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.may_include_reserved = catalogue.can_include_reserved(user)
        if not self.may_include_reserved:
            del self.fields["reserved"]
        include_reserved = self.may_include_reserved and forms.BooleanField().to_python(
            self.data.get("reserved")
        )
        self.fields["owner"].queryset = catalogue.catalogue_owners(
            user=user, include_reserved=include_reserved
        )
        self.fields["round"].queryset = catalogue.catalogue_rounds(user=user)

    def filters(self) -> catalogue.CatalogueFilters:
        """The valid filters (the form is validated first; fields with errors are ignored)."""
        self.is_valid()
        data = self.cleaned_data
        return catalogue.CatalogueFilters(
            query=(data.get("q") or "").strip(),
            ambito=data.get("ambito") or "",
            include_impact=bool(data.get("impact")),
            owner=data.get("owner"),
            owner_type=data.get("owner_type") or "",
            status=data.get("status") or "",
            audience=data.get("audience") or "",
            kind=data.get("kind") or "",
            survey_round=data.get("round"),
            sort=data.get("sort") or "title",
            include_reserved=bool(data.get("reserved")),
        )


@require_GET
@cache_anonymous_page("survey", "stakeholders")
def survey_home(request):
    user = request.user
    has_invitations = user.is_authenticated and invitations_for_user(user=user).exists()
    return render(
        request,
        "survey/home.html",
        {
            "rounds": catalogue.published_rounds(),
            "has_invitations": has_invitations,
            "may_manage": user.has_perm("survey.manage_rounds"),
        },
    )


@require_GET
@cache_anonymous_page("survey", "stakeholders")
def record_list(request):
    form = CatalogueFilterForm(request.GET, user=request.user)
    filters = form.filters()
    records = catalogue.record_list(user=request.user, filters=filters)
    page = paginate(request, records)
    template = "survey/catalogue.html"
    if request.htmx:
        template += "#results"
    response = render(
        request,
        template,
        {
            "form": form,
            "filters": filters,
            "page": page,
            "map": catalogue.record_map(records),
            "querystring": querystring_without_page(request),
        },
    )
    # The same address answers a whole page or the results fragment: caches must keep them apart.
    patch_vary_headers(response, ("HX-Request",))
    return response


@require_GET
@cache_anonymous_page("survey", "stakeholders")
def record_detail(request, pk):
    record = catalogue.record_get(user=request.user, pk=pk)
    update_of = record.update_of
    if update_of is not None and not request.user.has_perm("survey.view_record", update_of):
        update_of = None
    return render(
        request,
        "survey/record_detail.html",
        {
            "record": record,
            "update_of": update_of,
            "updates": catalogue.record_updates(user=request.user, record=record),
            "links": catalogue.safe_links(record),
            "funding_total": sum((f.amount for f in record.funding.all() if f.amount is not None), start=0),
        },
    )
