"""The versioned `/rest` resources: posts, comments, social metadata, member post analytics.

Each handler gets the sandbox, the request and the authenticated `Caller`; gateway checks
(version, protocol, token, daily limits) have already passed.
"""

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .littletext import published_text
from .restli import RestliSyntaxError, parse_query
from .web import ApiError, Request, Response, json_response

if TYPE_CHECKING:
    from .app import Sandbox

VISIBILITIES = frozenset({"PUBLIC", "CONNECTIONS", "LOGGED_IN", "CONTAINER"})
REQUIRED_POST_FIELDS = ("author", "commentary", "visibility", "distribution", "lifecycleState")
COMMENT_MAX_LENGTH = 1250
DEFAULT_PAGE_SIZE = 10
MAX_PAGE_SIZE = 100
METRICS = frozenset(
    {
        "IMPRESSION",
        "MEMBERS_REACHED",
        "RESHARE",
        "REACTION",
        "COMMENT",
        "POST_SAVE",
        "POST_SEND",
        "LINK_CLICKS",
        "FOLLOWER_GAINED_FROM_CONTENT",
        "PROFILE_VIEW_FROM_CONTENT",
    }
)
METRIC_TYPE_KEY = "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1"


@dataclass
class Caller:
    token: dict
    version_date: str  # YYYYMMDD, as LinkedIn writes versions in permission errors

    @property
    def scopes(self) -> set[str]:
        return set(self.token["scopes"].split())

    @property
    def member_urn(self) -> str:
        return f"urn:li:person:{self.token['member_sub']}"


def linkedin_id(label: str) -> str:
    """A 19-digit id that is the same for the same label (labels include the seed)."""
    rng = random.Random(label)  # noqa: S311 - deterministic ids, not secrets
    return str(7_000_000_000_000_000_000 + rng.randrange(10**18))


def illegal_argument(message: str) -> ApiError:
    return ApiError(400, {"status": 400, "code": "ILLEGAL_ARGUMENT", "message": message})


def not_found(what: str) -> ApiError:
    return ApiError(404, {"status": 404, "code": "NOT_FOUND", "message": f"Not found: {what}"})


def unprocessable(message: str) -> ApiError:
    return ApiError(422, {"message": message, "status": 422})


def require_scope(sandbox: "Sandbox", caller: Caller, scope: str, resource_method: str) -> None:
    """403 ACCESS_DENIED unless the token has `scope` and the app is (still) approved for it.

    A self-serve app gets this answer on comment reading, the posts finder, social metadata
    and member analytics (DOC POSTS, COMMENTS, MPS; linkedin-api.md §4.1 and the December
    2026 review, "Without approval").
    """
    approved = sandbox.app_approved_for(caller.token["client_id"], scope)
    if scope not in caller.scopes or not approved:
        raise sandbox.access_denied(f"{resource_method}.{caller.version_date}")


def paging(params: dict[str, object]) -> tuple[int, int]:
    try:
        start = int(params.get("start", 0))
        count = int(params.get("count", DEFAULT_PAGE_SIZE))
    except (TypeError, ValueError):
        raise illegal_argument("Invalid value for parameter 'start' or 'count'") from None
    if start < 0 or count < 0:
        raise illegal_argument("Invalid value for parameter 'start' or 'count'")
    return start, min(count, MAX_PAGE_SIZE)


def collection(elements: list, start: int, count: int, total: int) -> dict:
    return {
        "paging": {"start": start, "count": count, "links": [], "total": total},
        "elements": elements,
    }


def read_query(request: Request) -> dict[str, object]:
    try:
        return parse_query(request.raw_query)
    except RestliSyntaxError as error:
        raise illegal_argument(f"Invalid query parameters: {error}") from None


# Posts


def create_post(sandbox: "Sandbox", request: Request, caller: Caller) -> Response:
    try:
        body = request.json()
    except ValueError:
        raise illegal_argument("Request body could not be converted to data map") from None
    missing = [name for name in REQUIRED_POST_FIELDS if name not in body]
    if missing:
        raise unprocessable(
            "".join(
                f"ERROR :: /{name} :: field is required but not found and has no default value\n"
                for name in missing
            )
        )
    raw = body["commentary"]
    if not isinstance(raw, str):
        raise unprocessable("ERROR :: /commentary :: not a string\n")
    if body["visibility"] not in VISIBILITIES:
        visibility = body["visibility"]
        raise unprocessable(f'ERROR :: /visibility :: "{visibility}" is not an enum symbol\n')
    require_scope(sandbox, caller, "w_member_social", "posts.CREATE")
    if body["author"] != caller.member_urn:
        raise sandbox.access_denied(f"posts.CREATE.{caller.version_date}")
    from .media import check_post_content  # media.py imports this module

    check_post_content(sandbox, body["author"], body.get("content"))
    limit = sandbox.config.commentary_max_length
    if len(raw) > limit:
        raise unprocessable(
            f"ERROR :: /commentary :: length {len(raw)} exceeds the maximum of {limit}\n"
        )
    now = sandbox.clock.now()
    commentary = published_text(raw)
    window = sandbox.config.duplicate_window_seconds
    if window > 0:
        earlier = sandbox.state.earlier_post_with_same_text(
            body["author"], commentary, since=now - window
        )
        if earlier:
            raise ApiError(422, duplicate_post_body(earlier["urn"]))
    number = sandbox.state.next_number("post")
    share_id = linkedin_id(f"{sandbox.seed}:post:{number}")
    urn = f"urn:li:{sandbox.config.created_post_kind}:{share_id}"
    sandbox.state.insert_post(
        urn=urn,
        activity_urn=f"urn:li:activity:{linkedin_id(f'{sandbox.seed}:activity:{number}')}",
        author=body["author"],
        client_id=caller.token["client_id"],
        raw_commentary=raw,
        commentary=commentary,
        visibility=body["visibility"],
        lifecycle_state=body["lifecycleState"],
        body=body,
        created_at=now,
    )
    return Response(201, b"", [("x-restli-id", urn), ("Content-Length", "0")])


def duplicate_post_body(earlier_urn: str) -> dict:
    return {
        "errorDetailType": "com.linkedin.common.error.BadRequest",
        "message": "com.linkedin.content.common.exception.BadRequestResponseException: "
        f"Content is a duplicate of {earlier_urn}",
        "errorDetails": {
            "inputErrors": [
                {"description": "Duplicate post is detected", "input": {}, "code": "DUPLICATE_POST"}
            ]
        },
        "status": 422,
    }


def post_resource(post: dict) -> dict:
    body = json.loads(post["body"])
    created_ms = int(post["created_at"] * 1000)
    return {
        "id": post["urn"],
        "author": post["author"],
        "commentary": post["commentary"],
        "visibility": post["visibility"],
        "distribution": body.get("distribution", {}),
        "lifecycleState": post["lifecycle_state"],
        "isReshareDisabledByAuthor": bool(body.get("isReshareDisabledByAuthor", False)),
        "createdAt": created_ms,
        "publishedAt": created_ms,
        "lastModifiedAt": created_ms,
        "lifecycleStateInfo": {"isEditedByAuthor": False},
        **({"content": body["content"]} if body.get("content") else {}),
    }


def live_post(sandbox: "Sandbox", urn: str) -> dict:
    post = sandbox.state.post(urn)
    if post is None or post["deleted_at"] is not None:
        raise not_found(urn)
    return post


def get_post(sandbox: "Sandbox", request: Request, caller: Caller, urn: str) -> Response:
    require_scope(sandbox, caller, "r_member_social", "posts.GET")
    return json_response(200, post_resource(live_post(sandbox, urn)))


def delete_post(sandbox: "Sandbox", request: Request, caller: Caller, urn: str) -> Response:
    require_scope(sandbox, caller, "w_member_social", "posts.DELETE")
    post = sandbox.state.post(urn)
    if post is None:
        raise not_found(urn)
    if post["author"] != caller.member_urn:
        raise ApiError(403, {"message": f"member is unauthorized on {urn}", "status": 403})
    # Deleting is idempotent: an already deleted post answers 204 again (DOC POSTS, "Delete
    # Posts", via linkedin-api.md's December 2026 review).
    if post["deleted_at"] is None:
        sandbox.state.delete_post(post["urn"], sandbox.clock.now())
    return Response(204)


def find_posts(sandbox: "Sandbox", request: Request, caller: Caller) -> Response:
    params = read_query(request)
    if params.get("q") != "author":
        raise illegal_argument("Resource method could not be resolved from request parameters.")
    require_scope(sandbox, caller, "r_member_social", "posts.FINDER-author")
    author = params.get("author")
    if author != caller.member_urn:
        raise ApiError(403, {"message": f"member is unauthorized on {author}", "status": 403})
    start, count = paging(params)
    posts = sandbox.state.posts_by_author(author)
    elements = [post_resource(post) for post in posts[start : start + count]]
    return json_response(200, collection(elements, start, count, len(posts)))


# Comments


def comment_resource(comment: dict, activity_urn: str) -> dict:
    time_ms = int(comment["created_at"] * 1000)
    extra = {"parentComment": comment["parent_urn"]} if comment.get("parent_urn") else {}
    return {
        **extra,
        "$URN": comment["urn"],
        "commentUrn": comment["urn"],
        "id": comment["id"],
        "actor": comment["actor"],
        "object": activity_urn,
        "message": {"text": comment["text"], "attributes": []},
        "created": {"actor": comment["actor"], "time": time_ms},
        "lastModified": {"actor": comment["actor"], "time": time_ms},
        "likesSummary": {
            "totalLikes": 0,
            "aggregatedTotalLikes": 0,
            "likedByCurrentUser": False,
            "selectedLikes": [],
        },
    }


def own_post(sandbox: "Sandbox", caller: Caller, urn: str) -> dict:
    post = live_post(sandbox, urn)
    if post["author"] != caller.member_urn:
        message = f"member is unauthorized on {post['activity_urn']}"
        raise ApiError(403, {"message": message, "status": 403})
    return post


def _target(sandbox: "Sandbox", urn: str) -> tuple[dict, dict | None]:
    """The post a socialActions URN is about, and the comment when the URN names one."""
    if urn.startswith("urn:li:comment:"):
        comment = sandbox.state.comment(urn)
        if comment is None:
            raise not_found(urn)
        return live_post(sandbox, comment["post_urn"]), comment
    return live_post(sandbox, urn), None


def list_comments(sandbox: "Sandbox", request: Request, caller: Caller, urn: str) -> Response:
    """Top-level comments on a post, or the replies under a comment ("Get comments on
    comments", DOC COMMENTS)."""
    require_scope(sandbox, caller, "r_member_social", "socialActionsV2.GET_ALL")
    post, parent = _target(sandbox, urn)
    own_post(sandbox, caller, post["urn"])
    start, count = paging(read_query(request))
    sandbox.advance_audience(post["urn"])
    parent_urn = parent["urn"] if parent else None
    comments = sandbox.state.thread(post["urn"], parent_urn, start=start, count=count)
    elements = [comment_resource(comment, post["activity_urn"]) for comment in comments]
    total = sandbox.state.thread_count(post["urn"], parent_urn)
    return json_response(200, collection(elements, start, count, total))


def _same_post(sandbox: "Sandbox", object_urn: object, post: dict) -> bool:
    found = sandbox.state.post(object_urn) if isinstance(object_urn, str) else None
    return found is not None and found["urn"] == post["urn"]


def create_comment(sandbox: "Sandbox", request: Request, caller: Caller, urn: str) -> Response:
    try:
        body = request.json()
    except ValueError:
        raise illegal_argument("Request body could not be converted to data map") from None
    message = body.get("message")
    text = message.get("text") if isinstance(message, dict) else None
    # `object` (the post) is required on every comment create, replies included (DOC COMMENTS,
    # "Create comments" and "Create nested comments"; linkedin-api.md December 2026 review).
    required = {"actor": body.get("actor"), "object": body.get("object"), "message/text": text}
    missing = [name for name, value in required.items() if value is None]
    if missing:
        raise unprocessable(
            "".join(
                f"ERROR :: /{name} :: field is required but not found and has no default value\n"
                for name in missing
            )
        )
    require_scope(sandbox, caller, "w_member_social", "socialActionsV2.CREATE")
    if body["actor"] != caller.member_urn:
        raise sandbox.access_denied(f"socialActionsV2.CREATE.{caller.version_date}")
    if len(text) > COMMENT_MAX_LENGTH:
        raise unprocessable(
            f"ERROR :: /message/text :: length {len(text)} exceeds the maximum of "
            f"{COMMENT_MAX_LENGTH}\n"
        )
    post, parent = _target(sandbox, urn)
    if not _same_post(sandbox, body["object"], post):
        raise illegal_argument(f"/object :: {body['object']} is not the post of {urn}")
    if parent is not None:
        # A reply names its top-level comment as parentComment; threads are two levels deep.
        if body.get("parentComment") != parent["urn"]:
            raise illegal_argument(f"/parentComment :: must be {parent['urn']}")
        if parent["parent_urn"]:
            raise unprocessable("ERROR :: /parentComment :: replies cannot be replied to\n")
    comment_id = linkedin_id(f"{sandbox.seed}:comment:{sandbox.state.next_number('comment')}")
    comment = {
        "urn": f"urn:li:comment:({post['activity_urn']},{comment_id})",
        "id": comment_id,
        "post_urn": post["urn"],
        "actor": body["actor"],
        "text": text,  # plain text, published verbatim: comments are not little text
        "created_at": sandbox.clock.now(),
        "parent_urn": parent["urn"] if parent else None,
    }
    sandbox.state.insert_comment(**comment)
    return json_response(
        201, comment_resource(comment, post["activity_urn"]), [("x-restli-id", comment_id)]
    )


def social_metadata(sandbox: "Sandbox", request: Request, caller: Caller, urn: str) -> Response:
    require_scope(sandbox, caller, "r_member_social", "socialMetadata.GET")
    post = own_post(sandbox, caller, urn)
    sandbox.advance_audience(post["urn"])
    reactions = sandbox.audience_plan(post["urn"]).reactions_by(sandbox.audience_elapsed(post))
    comment_count = sandbox.state.comment_count(post["urn"])
    top_level = sandbox.state.thread_count(post["urn"], None)
    return json_response(
        200,
        {
            "reactionSummaries": {
                reaction_type: {"reactionType": reaction_type, "count": count}
                for reaction_type, count in sorted(reactions.items())
            },
            "commentSummary": {"count": comment_count, "topLevelCount": top_level},
            "commentsState": "OPEN",
            "entity": post["urn"],
        },
    )


# Member post analytics


def _date(value: object) -> dt.date:
    if not isinstance(value, dict):
        raise ValueError("not a date record")
    return dt.date(int(value["year"]), int(value["month"]), int(value["day"]))


def _date_record(day: dt.date) -> dict:
    return {"year": day.year, "month": day.month, "day": day.day}


def _utc_midnight(day: dt.date) -> float:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC).timestamp()


def member_post_analytics(sandbox: "Sandbox", request: Request, caller: Caller) -> Response:
    params = read_query(request)
    finder = params.get("q")
    if finder not in ("entity", "me"):
        raise illegal_argument("Resource method could not be resolved from request parameters.")
    require_scope(
        sandbox, caller, "r_member_postAnalytics", f"memberCreatorPostAnalytics.FINDER-{finder}"
    )
    metric = params.get("queryType")
    if metric not in METRICS:
        raise illegal_argument("Parameter 'queryType' is invalid")
    aggregation = params.get("aggregation", "TOTAL")
    if aggregation not in ("TOTAL", "DAILY") or (
        aggregation == "DAILY" and metric == "MEMBERS_REACHED"
    ):
        raise illegal_argument("Parameter 'aggregation' is invalid")
    if finder == "entity":
        entity = params.get("entity")
        if not isinstance(entity, dict) or len(entity) != 1 or not {"share", "ugc"} & set(entity):
            raise illegal_argument("Parameter 'entity' is invalid")
        posts = [own_post(sandbox, caller, str(next(iter(entity.values()))))]
    else:
        posts = sandbox.state.posts_by_author(caller.member_urn)

    today = dt.datetime.fromtimestamp(sandbox.clock.now(), dt.UTC).date()
    date_range = params.get("dateRange")
    if date_range is not None:
        try:
            start_day, end_day = _date(date_range["start"]), _date(date_range["end"])
        except (KeyError, TypeError, ValueError):
            raise illegal_argument("Parameter 'dateRange' is invalid") from None
    else:
        first = min((post["created_at"] for post in posts), default=sandbox.clock.now())
        start_day = dt.datetime.fromtimestamp(first, dt.UTC).date()
        end_day = today + dt.timedelta(days=1)

    def total_between(start: dt.date, end: dt.date) -> int:
        start_at, end_at = _utc_midnight(start), min(_utc_midnight(end), sandbox.clock.now())
        return sum(
            sandbox.metric_at(post, metric, end_at) - sandbox.metric_at(post, metric, start_at)
            for post in posts
        )

    def element(count: int, start: dt.date | None, end: dt.date | None) -> dict:
        result = {"count": count, "metricType": {METRIC_TYPE_KEY: metric}}
        if start is not None:
            result["dateRange"] = {"start": _date_record(start), "end": _date_record(end)}
        return result

    if aggregation == "TOTAL":
        shown_start = start_day if date_range is not None else None
        elements = [element(total_between(start_day, end_day), shown_start, end_day)]
    else:
        elements = []
        day = start_day
        while day < end_day:
            next_day = day + dt.timedelta(days=1)
            elements.append(element(total_between(day, next_day), day, next_day))
            day = next_day
    return json_response(200, collection(elements, 0, len(elements), len(elements)))
