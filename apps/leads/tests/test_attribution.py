"""A lead belongs to the post that brought the person in: the post of their first comment."""

from datetime import timedelta
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.utils import timezone

from apps.content.models import Post
from apps.leads import services
from apps.leads.models import Comment, Lead

pytestmark = pytest.mark.django_db

INQUIRY = "We need help with our Kafka cluster. What is your day rate? Can we talk this week?"


def published_post(workspace, days_ago: int) -> Post:
    return Post.objects.create(
        workspace=workspace,
        text=f"Post from {days_ago} days ago",
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(days=days_ago),
    )


def store(workspace, post, *, urn: str, text: str, hours_ago: float) -> None:
    services.store_comments(
        workspace=workspace,
        post=post,
        incoming=[
            services.IncomingComment(
                urn=urn,
                actor_urn="urn:li:person:cto",
                text=text,
                commented_at=timezone.now() - timedelta(hours=hours_ago),
                name="Dana CTO",
            )
        ],
    )


def test_a_new_lead_is_credited_to_the_post_it_commented_on(alice_workspace):
    post = published_post(alice_workspace, days_ago=3)
    store(alice_workspace, post, urn="urn:li:comment:1", text=INQUIRY, hours_ago=40)
    lead = Lead.objects.get(workspace=alice_workspace)
    assert lead.source_post == post
    assert lead.first_commented_at is not None


def test_later_comments_on_other_posts_leave_the_credit_where_it_was(alice_workspace):
    first, later = published_post(alice_workspace, 5), published_post(alice_workspace, 1)
    store(alice_workspace, first, urn="urn:li:comment:1", text=INQUIRY, hours_ago=100)
    store(alice_workspace, later, urn="urn:li:comment:2", text="Thanks, sounds good!", hours_ago=5)
    store(alice_workspace, later, urn="urn:li:comment:3", text=INQUIRY, hours_ago=4)
    assert Comment.objects.filter(lead__isnull=False).count() == 3
    assert Lead.objects.get(workspace=alice_workspace).source_post == first


def test_an_earlier_comment_stored_late_takes_the_credit(alice_workspace):
    # An import can bring a comment older than those already read from LinkedIn.
    recent, older = published_post(alice_workspace, 1), published_post(alice_workspace, 9)
    store(alice_workspace, recent, urn="urn:li:comment:1", text=INQUIRY, hours_ago=5)
    store(alice_workspace, older, urn="urn:li:comment:2", text="Interesting.", hours_ago=200)
    assert Lead.objects.get(workspace=alice_workspace).source_post == older


def test_existing_leads_are_credited_when_the_field_arrives(alice_workspace):
    first, later = published_post(alice_workspace, 5), published_post(alice_workspace, 1)
    store(alice_workspace, first, urn="urn:li:comment:1", text=INQUIRY, hours_ago=100)
    store(alice_workspace, later, urn="urn:li:comment:2", text=INQUIRY, hours_ago=3)
    Lead.objects.update(source_post=None, first_commented_at=None)  # as before the migration

    migration = import_module("apps.leads.migrations.0002_lead_source_post")
    migration.attribute_existing_leads(django_apps, None)

    assert Lead.objects.get(workspace=alice_workspace).source_post == first
