"""Data rights: a workspace's data exported as a zip, a workspace deleted, an account deleted.

Which tables hold a workspace's data is not listed by hand: every model with a foreign key to
Workspace is found from the app registry, so a model added later is exported and checked by
the tests without anybody remembering to. Deleting relies on those foreign keys cascading.

The audit record of a deletion has no workspace (the workspace is gone, and its own audit
events go with it); it keeps the name, slug and id so staff can still find it.
"""

from __future__ import annotations

import csv
import io
import json
import tempfile
import zipfile
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from typing import IO
from uuid import UUID

from django.apps import apps
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from apps.accounts.models import Membership, Role, User, Workspace
from apps.accounts.services import audit_record
from apps.accounts.tenancy import across_workspaces, owned
from apps.core.encryption import EncryptedTextField
from apps.core.spreadsheet import csv_cell

CHUNK_SIZE = 2000

# Never exported, whatever the model: credentials and the hashes that stand for them.
SECRET_FIELD_NAMES = {"token", "secret", "password", "digest", "key_hash"}
SECRET_FIELD_SUFFIXES = ("_hash", "_token", "_secret")
# Secrets whose names say nothing: a browser's push endpoint and its encryption keys.
SECRET_FIELDS_OF = {"notifications.pushsubscription": {"endpoint", "p256dh", "auth"}}


class DataRightsError(Exception):
    """A request the rules refuse; the message is for the user."""


# --- Which tables belong to a workspace ----------------------------------------------------


@dataclass(frozen=True)
class WorkspaceTable:
    model: type[models.Model]
    workspace_field: str  # name of the foreign key to Workspace

    @property
    def label(self) -> str:
        return f"{self.model._meta.app_label}/{self.model._meta.model_name}"

    def rows(self, workspace: Workspace) -> models.QuerySet:
        return self.model._default_manager.filter(**{self.workspace_field: workspace})


def workspace_tables() -> list[WorkspaceTable]:
    """Every model with a foreign key to Workspace, in a stable order."""
    tables = []
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.many_to_one and field.related_model is Workspace:
                tables.append(WorkspaceTable(model, field.name))
    return sorted(tables, key=lambda table: table.label)


def is_secret(field: models.Field) -> bool:
    return (
        isinstance(field, EncryptedTextField)
        or field.name in SECRET_FIELDS_OF.get(field.model._meta.label_lower, ())
        or field.name in SECRET_FIELD_NAMES
        or field.name.endswith(SECRET_FIELD_SUFFIXES)
    )


def exported_columns(model: type[models.Model]) -> list[str]:
    """Column names as exported: foreign keys as their id column (`author_id`)."""
    return [field.attname for field in model._meta.concrete_fields if not is_secret(field)]


# --- Export --------------------------------------------------------------------------------


def _plain(value):
    """A value as JSON can hold it."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | UUID):
        return str(value)
    return value


def _csv_cell(value):
    value = _plain(value)
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    return csv_cell(value)


def _write_entry(archive: zipfile.ZipFile, name: str, columns: list[str], rows) -> None:
    """Write one table twice, as JSON (a list of objects) and as CSV. `rows` is a callable
    returning a fresh iterator of value tuples, read in chunks: the table is never in memory."""
    with archive.open(f"{name}.json", "w") as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8")
        out.write("[")
        for index, row in enumerate(rows()):
            out.write(",\n" if index else "\n")
            out.write(
                json.dumps(dict(zip(columns, map(_plain, row), strict=True)), ensure_ascii=False)
            )
        out.write("\n]\n")
        out.flush()
        out.detach()
    with archive.open(f"{name}.csv", "w") as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(columns)
        for row in rows():
            writer.writerow([_csv_cell(value) for value in row])
        out.flush()
        out.detach()


README = """\
Export of the workspace "{name}" ({slug}) from TechLead AutoPilot, made {when}.

Every table is here twice: as JSON (a list of objects) and as CSV (one row per object,
JSON-valued columns as JSON text). Columns ending in _id refer to the id column of another
file; people.* lists the members the user ids stand for; files/ holds the stored files
(post images and PDF documents) named after their table and row id. Credentials (LinkedIn tokens,
webhook signing secrets, API token hashes, push subscription keys) are left out on purpose.
"""


def workspace_export(
    *, workspace: Workspace, actor: User, ip_address: str | None = None
) -> IO[bytes]:
    """All of the workspace's data as a zip of JSON and CSV, in a temporary file, rewound.
    The caller streams it and closes it (closing deletes it). Audited."""
    archive_file = tempfile.TemporaryFile(prefix="workspace-export-", suffix=".zip")  # noqa: SIM115
    with zipfile.ZipFile(archive_file, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "README.txt",
            README.format(
                name=workspace.name, slug=workspace.slug, when=timezone.now().isoformat()
            ),
        )
        columns = exported_columns(Workspace)
        _write_entry(
            archive,
            "workspace",
            columns,
            lambda: Workspace.objects.filter(pk=workspace.pk).values_list(*columns),
        )
        people = ["id", "email", "full_name"]
        _write_entry(
            archive,
            "people",
            people,
            lambda: (
                User.objects.filter(memberships__workspace=workspace)
                .order_by("pk")
                .values_list(*people)
            ),
        )
        for table in workspace_tables():
            columns = exported_columns(table.model)
            _write_entry(
                archive,
                table.label,
                columns,
                lambda table=table, columns=columns: (
                    table.rows(workspace)
                    .order_by("pk")
                    .values_list(*columns)
                    .iterator(chunk_size=CHUNK_SIZE)
                ),
            )
            _write_files(archive, table, workspace)
    audit_record(
        action="workspace.exported",
        actor=actor,
        workspace=workspace,
        target=workspace.name,
        ip_address=ip_address,
    )
    archive_file.seek(0)
    return archive_file


def _write_files(archive: zipfile.ZipFile, table: WorkspaceTable, workspace: Workspace) -> None:
    """The stored files of a table's rows (post images and PDFs, logos), streamed from storage
    into files/<table>/<row id>-<field>-<name>."""
    file_fields = [
        field.name
        for field in table.model._meta.concrete_fields
        if isinstance(field, models.FileField)
    ]
    if not file_fields:
        return
    for row in table.rows(workspace).order_by("pk").iterator(chunk_size=CHUNK_SIZE):
        for name in file_fields:
            stored = getattr(row, name)
            if not stored:
                continue
            base = stored.name.rsplit("/", 1)[-1]
            with (
                stored.open("rb") as source,
                archive.open(f"files/{table.label}/{row.pk}-{name}-{base}", "w") as target,
            ):
                while chunk := source.read(1024 * 1024):
                    target.write(chunk)


def export_filename(workspace: Workspace) -> str:
    return f"{workspace.slug}-export-{timezone.now():%Y%m%d-%H%M}.zip"


# --- Deleting a workspace ------------------------------------------------------------------


def workspace_row_counts(workspace: Workspace) -> dict[str, int]:
    """How many rows each table holds for the workspace (tables with none left out)."""
    counts = {table.label: table.rows(workspace).count() for table in workspace_tables()}
    return {label: count for label, count in counts.items() if count}


def confirmation_matches(workspace: Workspace, typed: str) -> bool:
    typed = (typed or "").strip()
    return bool(typed) and typed in (workspace.name.strip(), workspace.slug)


def _delete_workspace(
    workspace: Workspace, *, actor: User | None, ip_address: str | None, reason: str
) -> None:
    counts = workspace_row_counts(workspace)
    name, slug, workspace_id = workspace.name, workspace.slug, workspace.pk
    workspace.delete()
    # Recorded after the delete, without a workspace, so the cascade cannot take it along.
    audit_record(
        action="workspace.deleted",
        actor=actor,
        workspace=None,
        target=name,
        ip_address=ip_address,
        workspace_id=workspace_id,
        slug=slug,
        reason=reason,
        rows=counts,
    )


@transaction.atomic
def workspace_delete(
    *, workspace: Workspace, actor: User, confirmation: str, ip_address: str | None = None
) -> None:
    """Delete the workspace and everything in it. Owners only; `confirmation` must be the
    workspace's name or slug, typed."""
    if not owned(Membership, workspace=workspace).filter(user=actor, role=Role.OWNER).exists():
        raise DataRightsError(_("Only an owner can delete the workspace."))
    if not confirmation_matches(workspace, confirmation):
        raise DataRightsError(
            _("Type the workspace's name, %(name)s, to confirm.") % {"name": workspace.name}
        )
    _delete_workspace(workspace, actor=actor, ip_address=ip_address, reason="owner request")


# --- Deleting an account -------------------------------------------------------------------


@dataclass
class AccountDeletionPlan:
    """What deleting a user's account does to each of their workspaces."""

    deleted_with_account: list[Workspace]  # the user is the only member
    blocking: list[Workspace]  # shared, and the user is the only owner: transfer first
    left: list[Workspace]  # shared; the membership goes, the workspace stays

    @property
    def allowed(self) -> bool:
        return not self.blocking


def account_deletion_plan(*, user: User) -> AccountDeletionPlan:
    with across_workspaces(reason="a user's memberships in every workspace"):
        plan = AccountDeletionPlan([], [], [])
        memberships = Membership.objects.filter(user=user).select_related("workspace")
        for membership in memberships.order_by("workspace__name"):
            workspace = membership.workspace
            others = Membership.objects.filter(workspace=workspace).exclude(user=user)
            if not others.exists():
                plan.deleted_with_account.append(workspace)
            elif membership.role == Role.OWNER and not others.filter(role=Role.OWNER).exists():
                plan.blocking.append(workspace)
            else:
                plan.left.append(workspace)
        return plan


@transaction.atomic
def account_delete(*, user: User, password: str, ip_address: str | None = None) -> None:
    """Delete the user, the workspaces only they belong to, and their memberships elsewhere.

    Refused while the user is the only owner of a workspace others still use: those people
    would be left with nobody able to manage it. Audit records keep the user's email."""
    with across_workspaces(reason="a user's memberships in every workspace, to delete the account"):
        if not user.has_usable_password() or not user.check_password(password):
            raise DataRightsError(_("That is not your password."))
        # Lock the user's memberships so an invitation accepted meanwhile cannot slip past the plan.
        list(Membership.objects.select_for_update().filter(user=user))
        plan = account_deletion_plan(user=user)
        if not plan.allowed:
            raise DataRightsError(
                _(
                    "You are the only owner of %(names)s. Make another member an owner there "
                    "(or remove the other members) before deleting your account."
                )
                % {"names": ", ".join(workspace.name for workspace in plan.blocking)}
            )
        for workspace in plan.deleted_with_account:
            _delete_workspace(
                workspace, actor=user, ip_address=ip_address, reason="owner deleted their account"
            )
        audit_record(
            action="account.deleted",
            actor=user,
            target=user.email,
            ip_address=ip_address,
            user_id=user.pk,
            workspaces_deleted=[workspace.slug for workspace in plan.deleted_with_account],
            workspaces_left=[workspace.slug for workspace in plan.left],
        )
        user.delete()
