"""The MCP server: the tools of apps/mcp/tools.py, two resources and two prompts, on the
official SDK's MCPServer. One server object serves every caller; who is calling comes from
`access.current_caller`, set by the stdio command once and by the HTTP view per request.

The SDK is async and Django's ORM is not: each call runs its sync function through
`sync_to_async(thread_sensitive=True)`, so under the HTTP view it runs on the request's own
thread (and inside its transaction), and under stdio on one dedicated thread. Every call,
allowed or refused, is written to the audit log."""

import functools
import inspect
import json
import logging
import threading
from dataclasses import dataclass

from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.db import close_old_connections, transaction
from django.http import Http404
from django.utils.translation import gettext as _
from mcp.server.mcpserver import MCPServer
from mcp.server.mcpserver.exceptions import ResourceError, ToolError
from mcp_types import ToolAnnotations
from rest_framework.exceptions import APIException, ValidationError

from apps.accounts.services import audit_record
from apps.mcp import tools
from apps.mcp.access import McpAuthError, current_caller, principal_for_secret

logger = logging.getLogger(__name__)

INSTRUCTIONS = (
    "TechLead AutoPilot: a technical consultant's LinkedIn posts, posting schedule, leads and "
    "results, in one workspace. Drafts need a human approval before they are scheduled; "
    "submit them for review unless your token's role may approve. Never invent facts: "
    "posts may only restate what the expertise profile and earlier posts say."
)


@dataclass(frozen=True)
class Caller:
    secret: str
    transport: str  # "stdio" or "http"
    ip_address: str | None = None


def _message(error: Exception) -> str:
    if isinstance(error, ValidationError):
        detail = error.detail
        if isinstance(detail, dict):
            return "; ".join(
                f"{field}: {' '.join(str(m) for m in messages)}"
                if isinstance(messages, list)
                else f"{field}: {messages}"
                for field, messages in detail.items()
            )
        return " ".join(str(m) for m in detail) if isinstance(detail, list) else str(detail)
    if isinstance(error, APIException):
        return str(error.detail)
    if isinstance(error, Http404):
        return _("Not found in this workspace.")
    if isinstance(error, PermissionDenied) and not str(error):
        return _("Your role in this workspace does not allow this.")
    return str(error)


REFUSALS = (tools.ToolRefused, Http404, PermissionDenied, APIException, McpAuthError)


def call_as_caller(kind: str, name: str, fn, kwargs: dict):
    """Run one tool, resource or prompt for the current caller, and audit it. The token is
    checked again on every call, so a revoked token stops a running stdio session too."""
    caller = current_caller.get()
    if caller.transport == "stdio" and not transaction.get_connection().in_atomic_block:
        close_old_connections()  # a long-lived process: drop connections the server closed
    principal = principal_for_secret(caller.secret, transport=caller.transport)
    outcome = "ok"
    try:
        with transaction.atomic():
            return fn(principal, **kwargs)
    except REFUSALS as error:
        outcome = "refused"
        raise tools.ToolRefused(_message(error)) from None
    except Exception:
        outcome = "error"
        raise
    finally:
        audit_record(
            action=f"mcp.{kind}",
            actor=principal.user,
            workspace=principal.workspace,
            target=name,
            ip_address=caller.ip_address,
            transport=caller.transport,
            token=principal.token.prefix,
            outcome=outcome,
            arguments=sorted(kwargs),
        )


def _as_async(kind: str, name: str, fn):
    """An async callable with `fn`'s signature minus its first parameter (the principal), so
    the SDK builds the input schema from the tool's real arguments."""
    signature = inspect.signature(fn)
    parameters = list(signature.parameters.values())[1:]

    async def run(**kwargs):
        try:
            return await sync_to_async(call_as_caller, thread_sensitive=True)(
                kind, name, fn, kwargs
            )
        except McpAuthError as error:
            raise (ResourceError if kind == "resource" else ToolError)(str(error)) from None
        except tools.ToolRefused as error:
            raise (ResourceError if kind == "resource" else ToolError)(str(error)) from None

    functools.update_wrapper(run, fn)
    del run.__wrapped__  # the SDK must see the signature below, not the original one
    run.__signature__ = signature.replace(parameters=parameters)
    run.__annotations__ = {
        key: value for key, value in fn.__annotations__.items() if key != "principal"
    }
    return run


READ = ToolAnnotations(readOnlyHint=True, openWorldHint=False)
WRITE = ToolAnnotations(readOnlyHint=False, destructiveHint=False, openWorldHint=False)

TOOLS = [
    (
        tools.list_posts,
        READ,
        "List the workspace's posts, newest change first. status: draft, in_review, "
        "approved, scheduled, publishing, published, failed, needs_check.",
    ),
    (tools.read_post, READ, "Read one post: text, status, lint score, schedule, results."),
    (
        tools.draft_posts,
        WRITE,
        "Draft 1-5 new posts in the author's voice from the template "
        "library, optionally on a topic and with a framework (story, lesson_learned, "
        "contrarian, how_to_list, case_study, myth_vs_reality, mistake, architecture_decision, "
        "tool_comparison, leadership). Editors and up. Returns the drafts when they are "
        "written at once; otherwise done is false and drafting_status with the job ids "
        "returns them as they are written.",
    ),
    (
        tools.drafting_status,
        READ,
        "How far the drafting jobs draft_posts returned have got (queued, running, done, "
        "failed), with the drafts written so far. Ask again until done is true.",
    ),
    (
        tools.revise_post,
        WRITE,
        "Replace a post's text (and optionally its first comment). "
        "An approved or in-review post goes back to draft. Editors and up.",
    ),
    (tools.submit_post_for_review, WRITE, "Send a draft to the workspace's approvers."),
    (
        tools.approve_post,
        WRITE,
        "Approve a post. Only tokens with the owner or admin role may; "
        "otherwise submit it for review and let a human approve.",
    ),
    (
        tools.lint_text,
        READ,
        "Check a text the way the post editor does: score, hook before "
        "the fold, length, hashtags, links, near-duplicates of earlier posts.",
    ),
    (
        tools.schedule_post,
        WRITE,
        "Schedule an approved post at `at` (ISO 8601) or, without "
        "it, in the next free posting slot. Owners and admins.",
    ),
    (tools.propose_time, READ, "The next free posting slot, to propose a time."),
    (tools.list_posting_slots, READ, "The workspace's weekly posting slots and timezone."),
    (
        tools.list_leads,
        READ,
        "List leads (people whose comments read as inquiries), highest "
        "score first. status: new, contacted, qualified, converted, lost, not_a_lead.",
    ),
    (tools.read_lead, READ, "Read one lead with the comments that made it."),
    (
        tools.update_lead,
        WRITE,
        "Change a lead's stage (status), value in euros (a decimal "
        "string) or notes. Editors and up.",
    ),
    (
        tools.analytics_summary,
        READ,
        "Results of the last 7, 30 or 90 days against the period "
        "before: posts, impressions, engagement, leads, the funnel, top posts.",
    ),
    (tools.list_notifications, READ, "Your notifications in this workspace, newest first."),
]


def build_server() -> MCPServer:
    server = MCPServer("techlead-autopilot", instructions=INSTRUCTIONS, log_level="WARNING")
    for fn, annotations, description in TOOLS:
        server.tool(name=fn.__name__, description=description, annotations=annotations)(
            _as_async("tool", fn.__name__, fn)
        )

    profile = _as_async("resource", "expertise_profile", tools.expertise_profile)

    @server.resource(
        "techlead://workspace/expertise-profile",
        name="expertise_profile",
        description="The token owner's expertise profile: areas, offers, case studies, tone.",
        mime_type="application/json",
    )
    async def expertise_profile() -> str:
        return json.dumps(await profile(), default=str)

    library = _as_async("resource", "template_library", tools.template_library)

    @server.resource(
        "techlead://workspace/templates",
        name="template_library",
        description="The post templates (frameworks, hooks, body skeletons, calls to action).",
        mime_type="application/json",
    )
    async def template_library() -> str:
        return json.dumps(await library(), default=str)

    lead = _as_async("prompt", "answer_this_lead", tools.lead_for_prompt)
    slots = _as_async("prompt", "plan_my_week", tools.list_posting_slots)

    @server.prompt(
        name="plan_my_week",
        description="Plan the coming week's posts around the posting slots.",
    )
    async def plan_my_week(count: int = 3) -> str:
        schedule = await slots()
        return (
            f"Plan {count} LinkedIn posts for my coming week. My posting slots "
            f"({schedule['timezone']}): {json.dumps(schedule['slots'])}. Read my expertise "
            "profile resource first and use only facts it states. Use draft_posts with varied "
            "frameworks, lint each with lint_text, revise where the linter says so, then "
            "submit each for review and propose a time for each with propose_time."
        )

    @server.prompt(
        name="answer_this_lead",
        description="Draft a reply to a lead's comment, and suggest the next pipeline step.",
    )
    async def answer_this_lead(lead_id: int) -> str:
        data = await lead(lead_id=lead_id)
        return (
            "Draft a short, friendly reply to this LinkedIn lead in my voice. Answer what they "
            "asked, offer a call when they asked for one, and state no fact about me that my "
            "expertise profile does not give. Then suggest the lead's next stage.\n\n"
            f"Lead: {json.dumps(data, default=str)}"
        )

    return server


_per_thread = threading.local()


def shared_server() -> MCPServer:
    """One server per thread: each HTTP request runs its own event loop on its own thread,
    and nothing in the SDK promises that one server object may serve two loops at once."""
    server = getattr(_per_thread, "server", None)
    if server is None:
        server = _per_thread.server = build_server()
    return server
