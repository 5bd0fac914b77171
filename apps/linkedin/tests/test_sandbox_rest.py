"""The sandbox's /rest resources against the examples in linkedin-api.md §3 to §6."""

import datetime as dt
import re
from urllib.parse import quote

import pytest

from apps.linkedin.sandbox import Clock, SandboxConfig
from apps.linkedin.sandbox.versions import ApiVersion

from .conftest import http, post_body, rest_headers

# These tests exercise what an approved app may read; test_self_serve.py covers the default.
pytestmark = pytest.mark.linkedin_approved

ME = "urn:li:person:sbxDanaDemo1"
READ_AND_WRITE = ["openid", "profile", "w_member_social", "r_member_social"]


def enc(urn: str) -> str:
    return quote(urn, safe="")


@pytest.fixture
def token(linkedin):
    return linkedin.sandbox.issue_token([*READ_AND_WRITE, "r_member_postAnalytics"])


def create(running, token, commentary="Hello from the sandbox", **overrides):
    return http.post(
        f"{running.api_base}/rest/posts",
        json=post_body(commentary) | overrides,
        headers=rest_headers(token),
        timeout=5,
    )


def test_creating_a_post_answers_201_with_an_empty_body_and_the_urn_in_x_restli_id(linkedin, token):
    answer = create(linkedin, token)

    assert answer.status_code == 201
    assert answer.content == b""
    assert re.fullmatch(r"urn:li:share:\d{19}", answer.headers["x-restli-id"])


def test_a_sandbox_configured_for_ugc_posts_names_ugc_post_urns(start_sandbox):
    running = start_sandbox(config=SandboxConfig(created_post_kind="ugcPost"))
    token = running.sandbox.issue_token()

    assert create(running, token).headers["x-restli-id"].startswith("urn:li:ugcPost:")


def test_a_post_can_be_read_back_found_by_author_and_deleted(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    headers = rest_headers(token)

    post = http.get(f"{linkedin.api_base}/rest/posts/{enc(urn)}", headers=headers).json()
    found = http.get(
        f"{linkedin.api_base}/rest/posts?q=author&author={enc(ME)}", headers=headers
    ).json()
    deleted = http.delete(f"{linkedin.api_base}/rest/posts/{enc(urn)}", headers=headers)
    gone = http.get(f"{linkedin.api_base}/rest/posts/{enc(urn)}", headers=headers)

    assert post["id"] == urn
    assert post["author"] == ME
    assert post["commentary"] == "Hello from the sandbox"
    assert post["lifecycleState"] == "PUBLISHED"
    assert found["paging"] == {"start": 0, "count": 10, "links": [], "total": 1}
    assert [element["id"] for element in found["elements"]] == [urn]
    assert deleted.status_code == 204
    assert gone.status_code == 404


def test_a_missing_field_is_422_with_linkedins_message(linkedin, token):
    body = post_body("Hi")
    del body["author"]

    answer = http.post(f"{linkedin.api_base}/rest/posts", json=body, headers=rest_headers(token))

    assert answer.status_code == 422
    assert answer.json() == {
        "message": "ERROR :: /author :: field is required but not found and has no default value\n",
        "status": 422,
    }


def test_malformed_json_is_400_illegal_argument(linkedin, token):
    answer = http.post(
        f"{linkedin.api_base}/rest/posts",
        data=b"{not json",
        headers=rest_headers(token) | {"Content-Type": "application/json"},
    )

    assert answer.status_code == 400
    assert answer.json() == {
        "status": 400,
        "code": "ILLEGAL_ARGUMENT",
        "message": "Request body could not be converted to data map",
    }


def test_the_same_text_again_is_422_duplicate_post_naming_the_earlier_urn(linkedin, token):
    first = create(linkedin, token, "Same words twice").headers["x-restli-id"]

    answer = create(linkedin, token, "Same words twice")

    assert answer.status_code == 422
    body = answer.json()
    assert body["message"].endswith(f"Content is a duplicate of {first}")
    assert body["errorDetails"]["inputErrors"][0]["code"] == "DUPLICATE_POST"
    assert body["errorDetailType"] == "com.linkedin.common.error.BadRequest"


def test_a_deleted_post_still_blocks_its_text_as_a_ghost_duplicate(linkedin, token):
    first = create(linkedin, token, "Ghost").headers["x-restli-id"]
    http.delete(f"{linkedin.api_base}/rest/posts/{enc(first)}", headers=rest_headers(token))

    answer = create(linkedin, token, "Ghost")

    assert answer.status_code == 422
    assert first in answer.json()["message"]


def test_the_same_text_is_welcome_again_after_the_duplicate_window(linkedin, token):
    create(linkedin, token, "Weekly reminder")
    linkedin.sandbox.clock.advance(hours=49)

    assert create(linkedin, token, "Weekly reminder").status_code == 201


def test_commentary_over_3000_characters_is_422(linkedin, token):
    assert create(linkedin, token, "x" * 3000).status_code == 201
    assert create(linkedin, token, "y" * 3001).status_code == 422


@pytest.mark.parametrize(
    ("sent", "published"),
    [
        ("Va al repo (durable)", "Va al repo "),
        ("Va al repo \\(durable\\)", "Va al repo (durable)"),
        (
            "Thanks @[Ada Lovelace](urn:li:person:ada1) and team",
            "Thanks @[Ada Lovelace](urn:li:person:ada1) and team",
        ),
        ("Ship it #devops today", "Ship it #devops today"),
        ("Ship it {hashtag|\\#|devops}", "Ship it #devops"),
        ("snake_case kills posts", "snake"),
        ("a \\\\ backslash", "a \\ backslash"),
        ("C:\\dir stops here", "C:"),
        ("email me @ home", "email me "),
    ],
)
def test_unescaped_reserved_characters_silently_truncate_the_post(linkedin, token, sent, published):
    answer = create(linkedin, token, sent)

    assert answer.status_code == 201
    assert linkedin.sandbox.post(answer.headers["x-restli-id"])["commentary"] == published


def test_a_missing_version_header_is_400_version_missing(linkedin, token):
    answer = create_with_headers(linkedin, rest_headers(token, version=None))

    assert answer.status_code == 400
    assert answer.json()["code"] == "VERSION_MISSING"
    assert answer.headers["X-Restli-Gateway-Error"] == "true"


def create_with_headers(running, headers):
    return http.post(f"{running.api_base}/rest/posts", json=post_body("Hi"), headers=headers)


def test_a_version_sunset_or_not_yet_released_on_the_sandbox_clock_is_426(start_sandbox):
    # LinkedIn's table: 202510 sunset 2026-10-15, 202607 released in August 2026.
    def answer(version, at):
        running = start_sandbox(clock=Clock(start=at, ticking=False))
        token = running.sandbox.issue_token()
        return create_with_headers(running, rest_headers(token, version=version))

    july_2026 = dt.datetime(2026, 7, 1, tzinfo=dt.UTC).timestamp()
    december_2026 = dt.datetime(2026, 12, 4, tzinfo=dt.UTC).timestamp()

    assert answer("202510", july_2026).status_code == 201
    sunset = answer("202510", december_2026)
    assert sunset.status_code == 426
    assert sunset.json() == {
        "status": 426,
        "code": "NONEXISTENT_VERSION",
        "message": "Requested version 20251001 is not active",
    }
    assert answer("202607", july_2026).status_code == 426
    assert answer("202607", december_2026).status_code == 201
    assert answer("202512", july_2026).status_code == 426  # never released
    assert answer("202504", july_2026).json()["message"] == (
        "Requested version 20250401 is not active"
    )


def test_a_version_in_a_custom_table_follows_that_table(start_sandbox):
    table = (ApiVersion("202601", dt.date(2026, 1, 15), dt.date(2026, 2, 1)),)
    running = start_sandbox(config=SandboxConfig(versions=table))
    token = running.sandbox.issue_token()

    answer = create_with_headers(running, rest_headers(token, version="202601"))

    assert answer.status_code == 426  # the real clock is past this table's sunset


def test_a_missing_restli_protocol_header_is_400(linkedin, token):
    headers = rest_headers(token)
    del headers["X-Restli-Protocol-Version"]

    assert create_with_headers(linkedin, headers).status_code == 400


def test_tokens_are_rejected_with_linkedins_401_bodies(linkedin):
    sandbox = linkedin.sandbox
    revoked, expired = sandbox.issue_token(), sandbox.issue_token()
    sandbox.revoke_token(revoked)
    sandbox.expire_token(expired)

    def error(token):
        answer = create_with_headers(linkedin, rest_headers(token))
        assert answer.status_code == 401
        return answer.json()

    assert error(None) == {
        "message": "Empty oauth2_access_token",
        "serviceErrorCode": 401,
        "status": 401,
    }
    assert error("AQVnonsense")["code"] == "INVALID_ACCESS_TOKEN"
    assert error("AQVnonsense")["serviceErrorCode"] == 65600
    assert error(revoked) == {
        "status": 401,
        "serviceErrorCode": 65601,
        "code": "REVOKED_ACCESS_TOKEN",
        "message": "The token used in the request has been revoked by the user",
    }
    assert error(expired)["serviceErrorCode"] == 65602
    assert error(expired)["code"] == "EXPIRED_ACCESS_TOKEN"


def test_reading_comments_without_r_member_social_is_403_access_denied(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    share_only = linkedin.sandbox.issue_token(["openid", "profile", "w_member_social"])

    answer = http.get(
        f"{linkedin.api_base}/rest/socialActions/{enc(urn)}/comments",
        headers=rest_headers(share_only),
    )

    assert answer.status_code == 403
    assert answer.json() == {
        "status": 403,
        "serviceErrorCode": 100,
        "code": "ACCESS_DENIED",
        "message": "Not enough permissions to access: socialActionsV2.GET_ALL.20260301",
    }


def test_comments_come_back_in_the_collection_shape_with_the_contract_fields(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    linkedin.sandbox.clock.advance(days=3)

    page = http.get(
        f"{linkedin.api_base}/rest/socialActions/{enc(urn)}/comments?start=1&count=2",
        headers=rest_headers(token),
    ).json()

    assert page["paging"]["start"] == 1
    assert page["paging"]["count"] == 2
    assert page["paging"]["total"] >= 5
    assert len(page["elements"]) == 2
    comment = page["elements"][0]
    assert comment["$URN"] == comment["commentUrn"]
    assert re.fullmatch(r"urn:li:comment:\(urn:li:activity:\d+,\d+\)", comment["$URN"])
    assert comment["object"].startswith("urn:li:activity:")
    assert comment["actor"].startswith("urn:li:person:")
    assert comment["message"]["text"]
    assert comment["created"]["time"] > 0
    assert comment["likesSummary"]["likedByCurrentUser"] is False


def test_a_comment_is_created_with_201_and_its_text_is_kept_verbatim(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    text = "Thread 2/3: see \\(the\\) repo (really)"

    answer = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(urn)}/comments",
        json={"actor": ME, "object": urn, "message": {"text": text}},
        headers=rest_headers(token),
    )

    assert answer.status_code == 201
    assert answer.headers["x-restli-id"] == answer.json()["id"]
    assert answer.json()["message"]["text"] == text
    assert [c["text"] for c in linkedin.sandbox.comments(urn)] == [text]


def test_social_metadata_has_the_contract_shape(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    linkedin.sandbox.clock.advance(days=2)

    body = http.get(
        f"{linkedin.api_base}/rest/socialMetadata/{enc(urn)}", headers=rest_headers(token)
    ).json()

    assert body["entity"] == urn
    assert body["commentsState"] == "OPEN"
    assert body["commentSummary"]["count"] == body["commentSummary"]["topLevelCount"] > 0
    assert body["reactionSummaries"]["LIKE"] == {
        "reactionType": "LIKE",
        "count": body["reactionSummaries"]["LIKE"]["count"],
    }


def analytics(running, token, query):
    return http.get(
        f"{running.api_base}/rest/memberCreatorPostAnalytics?{query}", headers=rest_headers(token)
    )


def test_member_post_analytics_answers_per_post_and_for_all_posts(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]
    linkedin.sandbox.clock.advance(days=1)
    date_range = "(start:(day:21,month:9,year:2026),end:(day:23,month:9,year:2026))"

    total = analytics(
        linkedin,
        token,
        f"q=entity&entity=(share:{enc(urn)})&queryType=IMPRESSION&aggregation=TOTAL"
        f"&dateRange={date_range}",
    ).json()
    daily = analytics(linkedin, token, "q=me&queryType=REACTION&aggregation=DAILY").json()

    element = total["elements"][0]
    assert total["paging"]["total"] == 1
    assert element["count"] > 0
    assert element["metricType"] == {
        "com.linkedin.adsexternalapi.memberanalytics.v1.CreatorPostAnalyticsMetricTypeV1": (
            "IMPRESSION"
        )
    }
    assert element["dateRange"] == {
        "start": {"year": 2026, "month": 9, "day": 21},
        "end": {"year": 2026, "month": 9, "day": 23},
    }
    assert [e["dateRange"]["start"]["day"] for e in daily["elements"]] == [21, 22]


def test_member_post_analytics_rejects_a_bare_urn_and_daily_members_reached(linkedin, token):
    urn = create(linkedin, token).headers["x-restli-id"]

    bare = analytics(linkedin, token, f"q=entity&entity={enc(urn)}&queryType=IMPRESSION")
    reached = analytics(linkedin, token, "q=me&queryType=MEMBERS_REACHED&aggregation=DAILY")

    assert bare.status_code == 400
    assert bare.json()["message"] == "Parameter 'entity' is invalid"
    assert reached.status_code == 400


def test_member_post_analytics_needs_r_member_post_analytics(linkedin):
    token = linkedin.sandbox.issue_token(READ_AND_WRITE)

    answer = analytics(linkedin, token, "q=me&queryType=IMPRESSION&aggregation=TOTAL")

    assert answer.status_code == 403
    assert answer.json()["code"] == "ACCESS_DENIED"


def test_the_daily_member_limit_answers_429_until_midnight_utc(start_sandbox):
    running = start_sandbox(
        config=SandboxConfig(daily_member_limit=2), clock=Clock(1_790_000_000, ticking=False)
    )
    token = running.sandbox.issue_token()

    statuses = [create(running, token, f"post {n}").status_code for n in range(3)]
    limited = create(running, token, "one more")
    running.sandbox.clock.advance(int(limited.headers["Retry-After"]))

    assert statuses == [201, 201, 429]
    assert limited.json()["serviceErrorCode"] == 101
    # 1_790_000_000 is 14:13:20 UTC; midnight is 35_200 seconds away.
    assert limited.headers["Retry-After"] == "35200"
    assert create(running, token, "a new day").status_code == 201


def test_the_daily_app_limit_counts_every_member_of_the_app(start_sandbox):
    running = start_sandbox(config=SandboxConfig(daily_app_limit=1))
    token = running.sandbox.issue_token()

    assert create(running, token, "first").status_code == 201
    assert create(running, token, "second").status_code == 429


def test_faults_can_be_switched_on_over_http_for_a_sandbox_in_another_process(linkedin, token):
    http.post(f"{linkedin.base_url}/_sandbox/faults", json={"fail_next": {"count": 2}})

    statuses = [create(linkedin, token, f"try {n}").status_code for n in range(3)]

    assert statuses == [500, 500, 201]
    assert len(linkedin.sandbox.posts()) == 1


def test_query_tunnelling_reads_the_query_from_the_body(linkedin, token):
    create(linkedin, token)

    answer = http.post(
        f"{linkedin.api_base}/rest/posts",
        data=f"q=author&author={enc(ME)}",
        headers=rest_headers(token)
        | {
            "X-HTTP-Method-Override": "GET",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )

    assert answer.status_code == 200
    assert answer.json()["paging"]["total"] == 1
