"""The sandbox as an ordinary self-serve LinkedIn app (its default), and what it refuses.

Sources: linkedin-api.md "Additions and corrections (December 2026 review)": Default scopes,
Without approval, Nested comments, Delete; §4.1 for the 403 body.
"""

from urllib.parse import quote

import pytest

from .conftest import ALL_SCOPES, http, post_body, rest_headers

ME = "urn:li:person:sbxDanaDemo1"


def enc(urn: str) -> str:
    return quote(urn, safe="")


@pytest.fixture
def token(linkedin):
    return linkedin.sandbox.issue_token()


@pytest.fixture
def post_urn(linkedin, token):
    answer = http.post(
        f"{linkedin.api_base}/rest/posts",
        json=post_body("Self-serve apps can publish"),
        headers=rest_headers(token),
    )
    assert answer.status_code == 201
    return answer.headers["x-restli-id"]


def test_the_sandbox_will_not_issue_a_token_with_scopes_the_app_is_not_approved_for(linkedin):
    expected = "not approved for r_member_postAnalytics, r_member_social"
    with pytest.raises(ValueError, match=expected):
        linkedin.sandbox.issue_token(ALL_SCOPES.split())


@pytest.mark.parametrize(
    ("path", "resource"),
    [
        ("/rest/socialActions/{urn}/comments", "socialActionsV2.GET_ALL"),
        ("/rest/posts?q=author&author=urn%3Ali%3Aperson%3AsbxDanaDemo1", "posts.FINDER-author"),
        ("/rest/socialMetadata/{urn}", "socialMetadata.GET"),
        (
            "/rest/memberCreatorPostAnalytics?q=entity&entity=(share:{urn})"
            "&queryType=IMPRESSION&aggregation=TOTAL",
            "memberCreatorPostAnalytics.FINDER-entity",
        ),
    ],
)
def test_reads_that_need_approval_answer_403_access_denied(
    linkedin, token, post_urn, path, resource
):
    answer = http.get(
        linkedin.api_base + path.format(urn=enc(post_urn)), headers=rest_headers(token)
    )

    assert answer.status_code == 403
    assert answer.json() == {
        "status": 403,
        "serviceErrorCode": 100,
        "code": "ACCESS_DENIED",
        "message": f"Not enough permissions to access: {resource}.20260301",
    }


def test_a_self_serve_app_can_comment_as_the_member(linkedin, token, post_urn):
    answer = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(post_urn)}/comments",
        json={"actor": ME, "object": post_urn, "message": {"text": "First!"}},
        headers=rest_headers(token),
    )

    assert answer.status_code == 201
    assert [c["text"] for c in linkedin.sandbox.comments(post_urn)] == ["First!"]


def test_a_comment_without_object_is_refused_with_422(linkedin, token, post_urn):
    answer = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(post_urn)}/comments",
        json={"actor": ME, "message": {"text": "No object"}},
        headers=rest_headers(token),
    )

    assert answer.status_code == 422
    assert "/object :: field is required" in answer.json()["message"]
    assert linkedin.sandbox.comments(post_urn) == []


def test_a_reply_is_a_nested_comment_stored_under_its_parent(linkedin, token, post_urn):
    top = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(post_urn)}/comments",
        json={"actor": ME, "object": post_urn, "message": {"text": "Question?"}},
        headers=rest_headers(token),
    ).json()["$URN"]

    reply = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(top)}/comments",
        json={
            "actor": ME,
            "object": post_urn,
            "parentComment": top,
            "message": {"text": "Answer."},
        },
        headers=rest_headers(token),
    )

    assert reply.status_code == 201
    assert reply.json()["parentComment"] == top
    stored = {c["text"]: c["parent_urn"] for c in linkedin.sandbox.comments(post_urn)}
    assert stored == {"Question?": None, "Answer.": top}


def test_a_reply_must_name_the_post_as_object_and_cannot_be_replied_to(linkedin, token, post_urn):
    def comment(on, **body):
        return http.post(
            f"{linkedin.api_base}/rest/socialActions/{enc(on)}/comments",
            json={"actor": ME, "message": {"text": "x"}, **body},
            headers=rest_headers(token),
        )

    top = comment(post_urn, object=post_urn).json()["$URN"]
    reply = comment(top, object=post_urn, parentComment=top).json()["$URN"]

    assert comment(top, object="urn:li:share:1", parentComment=top).status_code in (400, 404)
    assert comment(top, object=post_urn).status_code == 400  # no parentComment
    assert comment(reply, object=post_urn, parentComment=reply).status_code == 422
    assert len(linkedin.sandbox.comments(post_urn)) == 2


@pytest.mark.linkedin_approved
def test_an_approved_app_reads_the_replies_under_a_comment_apart_from_the_top_level(
    linkedin,
):
    token = linkedin.sandbox.issue_token(ALL_SCOPES.split())
    post_urn = http.post(
        f"{linkedin.api_base}/rest/posts",
        json=post_body("Approved apps read threads"),
        headers=rest_headers(token),
    ).headers["x-restli-id"]
    top = http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(post_urn)}/comments",
        json={"actor": ME, "object": post_urn, "message": {"text": "Top"}},
        headers=rest_headers(token),
    ).json()["$URN"]
    http.post(
        f"{linkedin.api_base}/rest/socialActions/{enc(top)}/comments",
        json={"actor": ME, "object": post_urn, "parentComment": top, "message": {"text": "Re"}},
        headers=rest_headers(token),
    )

    def texts(urn):
        answer = http.get(
            f"{linkedin.api_base}/rest/socialActions/{enc(urn)}/comments",
            headers=rest_headers(token),
        )
        return [element["message"]["text"] for element in answer.json()["elements"]]

    assert texts(post_urn) == ["Top"]
    assert texts(top) == ["Re"]


def test_deleting_an_already_deleted_post_answers_204_again(linkedin, token, post_urn):
    url = f"{linkedin.api_base}/rest/posts/{enc(post_urn)}"

    assert http.delete(url, headers=rest_headers(token)).status_code == 204
    assert http.delete(url, headers=rest_headers(token)).status_code == 204
    never = f"{linkedin.api_base}/rest/posts/{enc('urn:li:share:7000000000000000001')}"
    assert http.delete(never, headers=rest_headers(token)).status_code == 404
