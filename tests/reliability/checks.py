"""What the reliability tests check once a run settles, from the database and from the
sandbox's own records: where each post ended, and its side effects counted per post."""

from collections import Counter

from apps.content.models import Post

TERMINAL = {Post.Status.PUBLISHED, Post.Status.FAILED}
# Needs-check posts that have not moved for this long are left as they are: their check is
# with the people in the workspace, or its task died with the worker.
SETTLE_SECONDS = 10


def side_effects_done(ids) -> bool:
    from apps.content.models import FirstComment
    from apps.notifications.models import OutboxEvent

    return not (
        OutboxEvent.objects.filter(status=OutboxEvent.Status.PENDING).exists()
        or FirstComment.objects.filter(
            post_id__in=ids,
            status__in=(FirstComment.Status.PENDING, FirstComment.Status.POSTING),
        ).exists()
    )


def side_effect_counts(linkedin, posts) -> dict[int, tuple[int, int, int]]:
    """Per post: (post.published notifications, webhook deliveries, first comments on
    LinkedIn), counted from the database and from the sandbox's own records."""
    from apps.notifications.models import Notification
    from apps.webhooks.models import WebhookDelivery

    url_of = {f"/w/{p.workspace.slug}/content/{p.pk}/": p.pk for p in posts}
    notified = Counter(
        url_of.get(url)
        for url in Notification.objects.filter(event="post.published").values_list("url", flat=True)
    )
    hooked = Counter(
        payload["data"]["post"]["id"]
        for payload in WebhookDelivery.objects.filter(event="post.published").values_list(
            "payload", flat=True
        )
    )
    commented = Counter()
    for post in posts:
        if post.linkedin_urn:
            texts = [c.get("text") for c in linkedin.comments(post.linkedin_urn)]
            commented[post.pk] = texts.count(post.first_comment)
    return {p.pk: (notified[p.pk], hooked[p.pk], commented[p.pk]) for p in posts}


def print_side_effects(effects, published: int) -> None:
    totals = [sum(e[i] for e in effects.values()) for i in range(3)]
    print(
        f"  side effects for {published} published posts: notifications={totals[0]}, "
        f"webhooks={totals[1]}, first comments={totals[2]}"
    )


ENDS = {Post.Status.PUBLISHED, Post.Status.FAILED, Post.Status.NEEDS_CHECK}


def settled(statuses: Counter, *, idle: float) -> bool:
    """Published or failed, or needing a check that has not moved for SETTLE_SECONDS."""
    unsettled = sum(n for status, n in statuses.items() if status not in TERMINAL)
    needs_check = statuses[Post.Status.NEEDS_CHECK]
    return unsettled == 0 or (unsettled == needs_check and idle >= SETTLE_SECONDS)


def fault_name(kind: str, armed: dict) -> str:
    if kind == "fail_next":
        return f"HTTP {armed['status']}"
    if kind == "delay_next":
        return f"delay {armed['seconds']}s"
    return "dropped after create"


def print_summary(posts, attempts, faults, kills, elapsed, on_linkedin) -> None:
    statuses = Counter(post.status for post in posts)
    needs_check = [post.status_reason for post in posts if post.status == Post.Status.NEEDS_CHECK]
    print(
        f"\nreliability: {len(posts)} posts settled in {elapsed:.1f} s with {kills} worker "
        f"kill(s); sandbox holds {on_linkedin} posts"
    )
    print("  final status: " + ", ".join(f"{s}={n}" for s, n in sorted(statuses.items())))
    print(
        f"  attempts: {sum(attempts.values())} ("
        + ", ".join(f"{o}={n}" for o, n in sorted(attempts.items()))
        + ")"
    )
    print("  faults armed: " + ", ".join(f"{f}={n}" for f, n in sorted(faults.items())))
    for reason, n in Counter(needs_check).items():
        print(f"  needs check ({n}): {reason}")
