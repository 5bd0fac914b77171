import re

import pytest
from django.core import mail

from apps.accounts.models import AuditEvent, ExpertiseProfile, Membership, Role, User, Workspace
from apps.accounts.tests.factories import InvitationFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_signing_up_requires_email_verification_then_lands_on_a_personal_workspace(client):
    response = client.post(
        "/accounts/signup/",
        {
            "email": "nina@example.com",
            "full_name": "Nina Novak",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
        },
    )
    assert response.status_code == 302
    assert response.url == "/accounts/confirm-email/"
    user = User.objects.get(email="nina@example.com")
    workspace = Workspace.objects.get(membership__user=user)
    assert Membership.objects.get(user=user).role == Role.OWNER
    assert ExpertiseProfile.objects.filter(workspace=workspace, user=user).exists()

    link = re.search(r"http://\S+/accounts/confirm-email/\S+/", mail.outbox[0].body).group(0)
    path = link.split("testserver", 1)[-1]
    confirm = client.post(path)
    assert confirm.status_code == 302
    assert client.get("/app/").url == f"/w/{workspace.slug}/"


def sign_up(client, email: str, **extra):
    return client.post(
        "/accounts/signup/",
        {
            "email": email,
            "full_name": "Nina Novak",
            "password1": "a-Long-passw0rd!",
            "password2": "a-Long-passw0rd!",
            **extra,
        },
    )


def test_the_sign_up_form_asks_the_browser_for_its_time_zone(client):
    page = client.get("/accounts/signup/").content.decode()
    assert re.search(r'<input[^>]+name="timezone"[^>]+data-browser-timezone', page) or re.search(
        r'<input[^>]+data-browser-timezone[^>]+name="timezone"', page
    )


def test_a_new_consultant_and_their_workspace_start_in_the_browsers_time_zone(client):
    assert sign_up(client, "berlin@example.com", timezone="Europe/Berlin").status_code == 302
    user = User.objects.get(email="berlin@example.com")
    assert user.timezone == "Europe/Berlin"
    assert Workspace.objects.get(membership__user=user).timezone == "Europe/Berlin"


def test_a_time_zone_that_is_not_one_is_dropped_and_sign_up_still_works(client):
    assert sign_up(client, "odd@example.com", timezone="Mars/Olympus<script>").status_code == 302
    user = User.objects.get(email="odd@example.com")
    assert user.timezone == "UTC"
    assert Workspace.objects.get(membership__user=user).timezone == "UTC"


def test_the_dashboard_greets_the_member_and_shows_next_steps(alice_client, alice_workspace):
    response = alice_client.get(f"/w/{alice_workspace.slug}/")
    assert response.status_code == 200
    assert "Welcome, Alice Archer" in response.text
    assert "Your name and expertise" in response.text
    assert "Next: Add a case study" in response.text


def test_sections_to_come_show_an_honest_empty_state(alice_client, alice_workspace):
    response = alice_client.get(f"/w/{alice_workspace.slug}/leads/")
    assert response.status_code == 200
    assert "No leads yet" in response.text


def vault_form(*cases, total=None):
    """The proof vault's formset fields, as the profile page posts them."""
    data = {
        "case-TOTAL_FORMS": str(total if total is not None else len(cases)),
        "case-INITIAL_FORMS": "0",
        "case-MIN_NUM_FORMS": "0",
        "case-MAX_NUM_FORMS": "20",
    }
    for index, case in enumerate(cases):
        data.update({f"case-{index}-{name}": value for name, value in case.items()})
    return data


def test_the_expertise_profile_saves_lists_and_the_proof_vault(
    alice_client, alice, alice_workspace
):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/profile/",
        {
            "headline": "Cloud architect",
            "areas": "Kubernetes, Kafka,  , data platforms",
            "years_experience": "12",
            "industries": "fintech",
            "offers": "architecture review, workshops",
            "tone": "direct",
            "language": "de",
            **vault_form(
                {
                    "client_type": "logistics scale-up",
                    "problem": "reports a day late",
                    "action": "Kafka rescue",
                    "results": "lag down from 2h to 3s",
                },
                {
                    "client_type": "fintech",
                    "action": "EKS migration",
                    "results": "-38% spend",
                    "may_name": "on",
                    "client_name": "Northwind Pay",
                },
                {},  # the blank form the page always offers
            ),
        },
    )
    assert response.status_code == 302
    assert response.url == f"/w/{alice_workspace.slug}/settings/linkedin/"  # the next step
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    assert profile.areas == ["Kubernetes", "Kafka", "data platforms"]
    assert profile.case_studies == [
        {
            "client_type": "logistics scale-up",
            "problem": "reports a day late",
            "action": "Kafka rescue",
            "results": "lag down from 2h to 3s",
            "may_name": False,
            "client_name": "",
        },
        {
            "client_type": "fintech",
            "problem": "",
            "action": "EKS migration",
            "results": "-38% spend",
            "may_name": True,
            "client_name": "Northwind Pay",
        },
    ]
    assert profile.language == "de"


def test_a_case_study_is_edited_and_another_removed_on_the_profile_page(
    alice_client, alice, alice_workspace
):
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    profile.case_studies = [
        {"action": "Kafka rescue", "results": "lag down to 3s"},
        {"action": "EKS migration", "results": "-38% spend"},
    ]
    profile.save()
    page = alice_client.get(f"/w/{alice_workspace.slug}/settings/profile/")
    assert page.text.count('data-testid="case-study"') == 4  # two, a blank one, the template
    assert "lag down to 3s" in page.text

    data = {
        "headline": "Cloud architect",
        "tone": "direct",
        "language": "en",
        **vault_form(
            {"action": "Kafka rescue", "results": "lag down to 3s, for good"},
            {"action": "EKS migration", "results": "-38% spend", "DELETE": "on"},
        ),
    }
    data["case-INITIAL_FORMS"] = "2"
    alice_client.post(f"/w/{alice_workspace.slug}/settings/profile/", data)
    profile.refresh_from_db()
    assert [(c["action"], c["results"]) for c in profile.case_studies] == [
        ("Kafka rescue", "lag down to 3s, for good")
    ]


PROFILE = {"headline": "Cloud architect", "tone": "direct", "language": "en"}


def connect_linkedin(workspace):
    from datetime import timedelta

    from django.utils import timezone

    from apps.linkedin.models import LinkedInConnection

    LinkedInConnection.objects.create(
        workspace=workspace,
        member_sub="abc",
        member_urn="urn:li:person:abc",
        name="Alice Archer",
        scopes=["openid", "w_member_social"],
        access_token="token",
        access_token_expires_at=timezone.now() + timedelta(days=50),
    )


def test_once_linkedin_is_connected_saving_the_profile_leads_on_to_planning_a_week(
    alice_client, alice_workspace
):
    connect_linkedin(alice_workspace)
    response = alice_client.post(f"/w/{alice_workspace.slug}/settings/profile/", PROFILE)
    assert response.url == f"/w/{alice_workspace.slug}/content/"
    page = alice_client.get(response.url)
    assert "Next: plan your first week of posts." in page.text


def test_an_established_workspace_stays_on_the_profile_after_saving(alice_client, alice_workspace):
    from apps.content.models import Post

    connect_linkedin(alice_workspace)
    Post.objects.create(workspace=alice_workspace, text="An earlier post")
    response = alice_client.post(f"/w/{alice_workspace.slug}/settings/profile/", PROFILE)
    assert response.url == f"/w/{alice_workspace.slug}/settings/profile/"


def test_a_bad_profile_shows_field_errors_and_keeps_what_was_typed(alice_client, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/profile/",
        {
            "headline": "Kept headline",
            "years_experience": "-3",
            "tone": "direct",
            "language": "en",
            **vault_form({"client_type": "fintech", "results": "kept result 38%"}),
        },
    )
    assert response.status_code == 200
    assert "Kept headline" in response.text
    assert "kept result 38%" in response.text
    assert "Say what you did" in response.text
    assert "greater than or equal to 0" in response.text


def test_workspace_settings_save_for_an_owner(alice_client, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/",
        {"name": "Alice Consulting", "timezone": "America/New_York", "posting_paused": "on"},
    )
    assert response.status_code == 302
    alice_workspace.refresh_from_db()
    assert (alice_workspace.name, alice_workspace.timezone, alice_workspace.posting_paused) == (
        "Alice Consulting",
        "America/New_York",
        True,
    )


def test_an_unknown_time_zone_is_a_field_error(alice_client, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/", {"name": "Alice Co", "timezone": "Mars/Olympus"}
    )
    assert response.status_code == 200
    assert "Select a valid choice" in response.text


def test_the_member_list_runs_a_fixed_number_of_queries(
    alice_client, alice_workspace, django_assert_num_queries
):
    for _ in range(5):
        InvitationFactory(workspace=alice_workspace)
    # user (the session comes from the cache), memberships+workspaces (tenancy, the switcher's list
    # too), members+users, pending invitations, unread notifications; workspace_view's transaction:
    # savepoint, release.
    with django_assert_num_queries(7):
        response = alice_client.get(f"/w/{alice_workspace.slug}/settings/members/")
    assert response.status_code == 200
    assert response.text.count("invitee") == 5


def test_inviting_by_htmx_returns_the_refreshed_member_panel(alice_client, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/members/invite/",
        {"email": "newbie@example.com", "role": "viewer"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert response.text.lstrip().startswith('<div id="member-panel">')
    assert "newbie@example.com" in response.text
    assert "<html" not in response.text


def test_an_invalid_invitation_shows_the_error_without_losing_the_page(
    alice_client, alice_workspace
):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/members/invite/", {"email": "not-an-email"}
    )
    assert response.status_code == 400
    assert "Enter a valid email address" in response.text
    assert "not-an-email" in response.text


def test_an_editor_cannot_invite_or_change_roles(bob_client, alice, alice_workspace):
    alices = Membership.objects.get(workspace=alice_workspace, user=alice)
    invite = bob_client.post(
        f"/w/{alice_workspace.slug}/settings/members/invite/",
        {"email": "x@example.com", "role": "owner"},
    )
    role = bob_client.post(
        f"/w/{alice_workspace.slug}/settings/members/{alices.pk}/role/", {"role": "viewer"}
    )
    assert (invite.status_code, role.status_code) == (403, 403)
    alices.refresh_from_db()
    assert alices.role == Role.OWNER


def test_an_owner_changes_a_role_and_sees_it(alice_client, bob, alice_workspace):
    bobs = Membership.objects.get(workspace=alice_workspace, user=bob)
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/members/{bobs.pk}/role/",
        {"role": "admin"},
        follow=True,
    )
    bobs.refresh_from_db()
    assert bobs.role == Role.ADMIN
    assert "bob@example.com is now Admin" in response.text


def test_removing_the_last_owner_is_refused_with_a_message(alice_workspace, bob):
    bobs = Membership.objects.get(workspace=alice_workspace, user=bob)
    bobs.role = Role.OWNER
    bobs.save()
    alice_m = Membership.objects.exclude(pk=bobs.pk).get(workspace=alice_workspace)
    alice_m.delete()
    from django.test import Client

    client = Client()
    client.force_login(bob)
    response = client.post(
        f"/w/{alice_workspace.slug}/settings/members/{bobs.pk}/remove/", follow=True
    )
    assert "at least one owner" in response.text
    assert Membership.objects.filter(pk=bobs.pk).exists()


def test_an_invitee_accepts_and_joins(client, alice_workspace):
    invitation = InvitationFactory(workspace=alice_workspace, email="dora@example.com")
    dora = UserFactory(email="dora@example.com")
    client.force_login(dora)
    page = client.get(f"/invitations/{invitation.token}/")
    assert "Join Alice Co" in page.text
    response = client.post(f"/invitations/{invitation.token}/")
    assert response.url == f"/w/{alice_workspace.slug}/"
    assert Membership.objects.filter(workspace=alice_workspace, user=dora).exists()


def test_an_unknown_invitation_token_is_404(client):
    assert client.get("/invitations/not-a-token/").status_code == 404


def test_the_owner_reads_the_audit_log_and_an_editor_may_not(alice_client, alice, alice_workspace):
    AuditEvent.objects.create(
        workspace=alice_workspace,
        actor=alice,
        actor_email=alice.email,
        action="workspace.settings_changed",
        target="Alice Co",
    )
    response = alice_client.get(f"/w/{alice_workspace.slug}/settings/audit/")
    assert "workspace.settings_changed" in response.text


def test_an_editor_cannot_read_the_audit_log(bob_client, alice_workspace):
    assert bob_client.get(f"/w/{alice_workspace.slug}/settings/audit/").status_code == 403


def test_times_are_shown_in_the_users_time_zone(alice_client, alice, alice_workspace):
    from datetime import UTC, datetime

    alice.timezone = "Asia/Tokyo"
    alice.save()
    AuditEvent.objects.create(
        workspace=alice_workspace,
        actor=alice,
        action="x.y",
        created_at=datetime(2026, 1, 5, 23, 30, tzinfo=UTC),
    )
    response = alice_client.get(f"/w/{alice_workspace.slug}/settings/audit/")
    assert "6 Jan 2026, 08:30" in response.text


def test_signing_in_is_audited_with_the_address(client, alice):
    client.post(
        "/accounts/login/",
        {"login": alice.email, "password": "correct-horse-battery-staple"},
        REMOTE_ADDR="198.51.100.7",
    )
    event = AuditEvent.objects.get(action="user.signed_in")
    assert (event.actor, event.ip_address) == (alice, "198.51.100.7")


def test_switching_to_german_translates_the_app(alice_client, alice_workspace):
    alice_client.post("/i18n/setlang/", {"language": "de", "next": "/"})
    response = alice_client.get(f"/w/{alice_workspace.slug}/leads/")
    assert "Noch keine Leads" in response.text


def test_a_user_with_two_workspaces_sees_the_switcher(alice_client, alice, charlie_workspace):
    Membership.objects.create(workspace=charlie_workspace, user=alice, role=Role.VIEWER)
    response = alice_client.get("/w/alice-co/")
    assert 'id="workspace-switcher"' in response.text
    assert "Charlie Co" in response.text


def test_creating_a_second_workspace_makes_the_user_its_owner(alice_client, alice):
    response = alice_client.post("/app/workspaces/new/", {"name": "Side Project"})
    workspace = Workspace.objects.get(name="Side Project")
    assert response.url == f"/w/{workspace.slug}/"
    assert Membership.objects.get(workspace=workspace, user=alice).role == Role.OWNER


def test_preferences_change_the_time_zone(alice_client, alice):
    response = alice_client.post(
        "/app/preferences/", {"full_name": "Alice A.", "timezone": "Europe/Paris"}
    )
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.timezone == "Europe/Paris"


def test_two_factor_setup_is_offered_inside_the_app(alice_client):
    response = alice_client.get("/accounts/2fa/")
    assert response.status_code == 200
    assert "Authenticator App" in response.text
    assert 'class="sidebar"' in response.text  # our shell, not allauth's bare page


def test_a_password_reset_email_is_sent(client, alice):
    client.post("/accounts/password/reset/", {"email": alice.email})
    assert "/accounts/password/reset/key/" in mail.outbox[-1].body


def test_the_audit_log_runs_a_fixed_number_of_queries(
    alice_client, alice, alice_workspace, django_assert_num_queries
):
    for n in range(20):
        AuditEvent.objects.create(workspace=alice_workspace, actor=alice, action=f"x.{n}")
    # user (the session comes from the cache), memberships+workspaces (the switcher's too), events,
    # unread notifications; savepoint and release.
    with django_assert_num_queries(6):
        response = alice_client.get(f"/w/{alice_workspace.slug}/settings/audit/")
    assert response.text.count("<code>x.") == 20


def test_case_studies_typed_one_a_line_are_added_to_the_proof_vault(
    alice_client, alice, alice_workspace
):
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    profile.case_studies = [{"action": "Kafka rescue", "results": "lag down to 3s"}]
    profile.save()
    data = {
        **PROFILE,
        "quick_case_studies": "Moved payments to Kubernetes | cut cloud spend 38% in 4 months",
        **vault_form({"action": "Kafka rescue", "results": "lag down to 3s"}),
    }
    data["case-INITIAL_FORMS"] = "1"
    alice_client.post(f"/w/{alice_workspace.slug}/settings/profile/", data)
    profile.refresh_from_db()
    assert [(c["action"], c["results"]) for c in profile.case_studies] == [
        ("Kafka rescue", "lag down to 3s"),
        ("Moved payments to Kubernetes", "cut cloud spend 38% in 4 months"),
    ]


def test_a_quick_case_study_without_its_results_is_refused_and_kept(alice_client, alice_workspace):
    response = alice_client.post(
        f"/w/{alice_workspace.slug}/settings/profile/",
        {**PROFILE, "quick_case_studies": "Moved payments to Kubernetes"},
    )
    assert response.status_code == 200
    assert "Line 1 needs what you did" in response.text
    assert "Moved payments to Kubernetes" in response.text


def test_saving_the_profile_untouched_keeps_every_case_study(alice_client, alice, alice_workspace):
    profile = ExpertiseProfile.objects.get(workspace=alice_workspace, user=alice)
    profile.case_studies = [
        {"action": "Kafka rescue", "results": "lag down to 3s"},
        {"action": "EKS migration", "results": "-38% spend"},
    ]
    profile.save()
    page = alice_client.get(f"/w/{alice_workspace.slug}/settings/profile/")
    # What the browser sends back: every shown field as it was, the blank form empty.
    data = dict(PROFILE)
    for name, value in re.findall(r'name="(case-[^"]+)"[^>]*value="([^"]*)"', page.text):
        data[name] = value
    for name, value in re.findall(r'name="(case-\d+-\w+)"[^>]*>([^<]*)</textarea>', page.text):
        data[name] = value
    assert (data["case-TOTAL_FORMS"], data["case-INITIAL_FORMS"]) == ("3", "2")
    assert data["case-1-action"].strip() == "EKS migration"
    alice_client.post(f"/w/{alice_workspace.slug}/settings/profile/", data)
    profile.refresh_from_db()
    assert [c["action"] for c in profile.case_studies] == ["Kafka rescue", "EKS migration"]


def test_sign_up_asks_for_a_name_and_greets_and_names_the_workspace_with_it(client):
    email = "cloud.architect.1204114039@example.com"
    response = sign_up(client, email, full_name="  Ada   Lovelace ")
    assert response.status_code == 302
    user = User.objects.get(email="cloud.architect.1204114039@example.com")
    assert user.full_name == "Ada Lovelace"
    workspace = Workspace.objects.get(membership__user=user)
    assert workspace.name == "Ada Lovelace's workspace"
    assert workspace.slug.startswith("ada-lovelace")
    assert "cloud" not in workspace.slug


def test_sign_up_without_a_name_is_refused_with_a_message(client):
    response = sign_up(client, "noname@example.com", full_name="")
    assert response.status_code == 200
    assert 'name="full_name"' in response.content.decode()
    assert not User.objects.filter(email="noname@example.com").exists()


def test_staff_without_a_workspace_land_on_the_staff_overview(client):
    staff = UserFactory(is_staff=True)
    client.force_login(staff)
    assert client.get("/app/").url == "/staff/overview/"


def test_a_user_without_a_workspace_is_asked_to_make_one(client):
    client.force_login(UserFactory())
    assert client.get("/app/").url == "/app/workspaces/new/"
