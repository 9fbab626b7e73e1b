"""The planner's decisions, from facts alone: reuse, extend, limits, names, rotate, expiry."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta, timezone

import pytest

from preflight.azure.models import PasswordInfo, RegistryInfo, ScopeMapInfo, TokenInfo
from preflight.errors import InputError
from preflight.model import ImageUse
from preflight.provision import names
from preflight.provision.plan import (
    CreateCredential,
    CreateScopeMap,
    CreateToken,
    ExtendScopeMap,
    GeneratePassword,
    ProvisionPlan,
    Readiness,
)
from preflight.provision.planner import (
    ProvisionOptions,
    RegistryFacts,
    acr_repositories,
    decide,
    needed_actions,
)
from preflight.seqera.models import Credential

NOW = datetime(2026, 6, 1, tzinfo=timezone.utc)
HOST = "myacr.azurecr.io"
REG_ID = "/subscriptions/s/resourceGroups/rg/providers/Microsoft.ContainerRegistry/registries/myacr"
REGISTRY = RegistryInfo(REG_ID, "myacr", "rg", HOST, "Standard")
READ_APP = "repositories/team/app/content/read"
READ_TOOL = "repositories/team/tool/content/read"


def token(
    name: str = "wave-pull-7",
    *,
    enabled: bool = True,
    passwords: int = 1,
    expired: bool = False,
    scope_map: str = "wave-pull-7-scope-map",
) -> TokenInfo:
    expiry = NOW - timedelta(days=1) if expired else None
    slots = ("password1", "password2")[:passwords]
    return TokenInfo(
        id=f"{REG_ID}/tokens/{name}",
        name=name,
        scope_map_id=f"{REG_ID}/scopeMaps/{scope_map}",
        scope_map_name=scope_map,
        enabled=enabled,
        passwords=tuple(PasswordInfo(s, NOW - timedelta(days=9), expiry) for s in slots),
        created=NOW - timedelta(days=9),
    )


def scope_map(
    *actions: str, name: str = "wave-pull-7-scope-map", system: bool = False
) -> ScopeMapInfo:
    return ScopeMapInfo(f"{REG_ID}/scopeMaps/{name}", name, tuple(actions), system)


def credential(user: str = "wave-pull-7") -> Credential:
    return Credential("c1", "myacr-wave-pull", "container-reg", HOST, user, None, None, 7)


def facts(**changes: object) -> RegistryFacts:
    base = RegistryFacts(
        login_server=HOST,
        repositories=("team/app", "team/tool"),
        registry=REGISTRY,
        credential=None,
        token_name="wave-pull-7",
        token=None,
        scope_map_name="wave-pull-7-scope-map",
        scope_map=None,
        credential_name="myacr-wave-pull",
    )
    return replace(base, **changes)  # type: ignore[arg-type]


OPTIONS = ProvisionOptions(workspace_id=7)


def test_nothing_exists_so_everything_is_created_in_order() -> None:
    plan = decide(facts(), OPTIONS, NOW)
    assert plan.outcome is Readiness.PLANNED
    assert plan.steps == (
        CreateScopeMap("wave-pull-7-scope-map", (READ_APP, READ_TOOL)),
        CreateToken("wave-pull-7", "wave-pull-7-scope-map"),
        GeneratePassword("wave-pull-7", "password1", None),
        CreateCredential("myacr-wave-pull", HOST, "wave-pull-7", 7),
    )


def test_an_existing_scope_map_of_that_name_is_reused_and_extended() -> None:
    plan = decide(
        facts(scope_map=scope_map(READ_APP, "repositories/other/content/read")), OPTIONS, NOW
    )
    assert plan.steps[0] == ExtendScopeMap(
        "wave-pull-7-scope-map", (READ_APP, "repositories/other/content/read"), (READ_TOOL,)
    )
    assert plan.steps[0].actions[-1] == READ_TOOL
    assert isinstance(plan.steps[1], CreateToken)


def test_a_scope_map_that_already_covers_everything_is_left_alone() -> None:
    plan = decide(facts(scope_map=scope_map("repositories/team/*/content/read")), OPTIONS, NOW)
    assert not any(isinstance(s, (CreateScopeMap, ExtendScopeMap)) for s in plan.steps)


def test_a_working_credential_means_nothing_to_do() -> None:
    plan = decide(
        facts(credential=credential(), token=token(), scope_map=scope_map(READ_APP, READ_TOOL)),
        OPTIONS,
        NOW,
    )
    assert plan.outcome is Readiness.READY and plan.steps == ()
    assert "myacr-wave-pull" in plan.reason


def test_a_working_credential_missing_a_repository_only_extends_the_scope_map() -> None:
    plan = decide(
        facts(credential=credential(), token=token(), scope_map=scope_map(READ_APP)), OPTIONS, NOW
    )
    assert plan.outcome is Readiness.PLANNED
    assert plan.steps == (ExtendScopeMap("wave-pull-7-scope-map", (READ_APP,), (READ_TOOL,)),)


def test_an_existing_password_is_never_regenerated_without_rotate() -> None:
    expired = facts(
        credential=credential(), token=token(expired=True), scope_map=scope_map(READ_APP, READ_TOOL)
    )
    blocked = decide(expired, OPTIONS, NOW)
    assert blocked.outcome is Readiness.BLOCKED and "--rotate" in blocked.remedy

    # A token that some credential of the workspace signs in with (for another registry
    # string) may be in use: its password is not regenerated.
    used = facts(token=token(), scope_map=scope_map(READ_APP, READ_TOOL), token_users=("x",))
    assert decide(used, OPTIONS, NOW).outcome is Readiness.BLOCKED
    # Nor is one preflight did not name.
    own = facts(
        token_name="ci-reader",
        token=token("ci-reader", scope_map="ci-reader-scope-map"),
        scope_map=scope_map(READ_APP, READ_TOOL, name="ci-reader-scope-map"),
    )
    assert decide(own, OPTIONS, NOW).outcome is Readiness.BLOCKED


def test_what_an_unfinished_fix_left_is_recognised_by_name_and_reused() -> None:
    """A second Ctrl-C during rollback can leave preflight's own token and scope map behind:
    the next fix must not be blocked by them."""
    leftover = facts(token=token(), scope_map=scope_map(READ_APP))
    plan = decide(leftover, OPTIONS, NOW)
    assert plan.outcome is Readiness.PLANNED, plan.reason
    assert plan.steps == (
        ExtendScopeMap("wave-pull-7-scope-map", (READ_APP,), (READ_TOOL,)),
        GeneratePassword("wave-pull-7", "password1", None, replaces=True),
        CreateCredential("myacr-wave-pull", HOST, "wave-pull-7", 7),
    )
    assert "did not finish" in plan.reason


def test_rotate_regenerates_password1_and_replaces_the_credential() -> None:
    rotate = replace(OPTIONS, rotate=True)
    plan = decide(
        facts(
            credential=credential(),
            token=token(expired=True),
            scope_map=scope_map(READ_APP, READ_TOOL),
        ),
        rotate,
        NOW,
    )
    assert plan.steps == (
        GeneratePassword("wave-pull-7", "password1", None, replaces=True),
        CreateCredential("myacr-wave-pull", HOST, "wave-pull-7", 7, replaces="c1"),
    )


def test_rotate_leaves_a_registry_whose_credential_signs_in_alone() -> None:
    """`fix --rotate` for one blocked registry must not lock out the healthy ones."""
    rotate = replace(OPTIONS, rotate=True)
    healthy = facts(
        credential=credential(), token=token(), scope_map=scope_map(READ_APP, READ_TOOL)
    )
    plan = decide(healthy, rotate, NOW)
    assert plan.outcome is Readiness.READY and plan.steps == ()
    assert "--rotate leaves it alone" in plan.reason
    # Only the missing repository is added; the password stays.
    partial = decide(replace(healthy, scope_map=scope_map(READ_APP)), rotate, NOW)
    assert partial.steps == (ExtendScopeMap("wave-pull-7-scope-map", (READ_APP,), (READ_TOOL,)),)


def test_a_credential_older_than_every_password_is_blocked_until_rotate() -> None:
    saved_before = replace(credential(), last_updated=(NOW - timedelta(days=10)).isoformat())
    stale = facts(credential=saved_before, token=token(), scope_map=scope_map(READ_APP, READ_TOOL))
    blocked = decide(stale, OPTIONS, NOW)
    assert blocked.outcome is Readiness.BLOCKED and "--rotate" in blocked.remedy
    rotated = decide(stale, replace(OPTIONS, rotate=True), NOW)
    assert [type(step) for step in rotated.steps] == [GeneratePassword, CreateCredential]


def test_an_existing_token_without_password_gets_password1() -> None:
    plan = decide(
        facts(token=token(passwords=0), scope_map=scope_map(READ_APP, READ_TOOL)), OPTIONS, NOW
    )
    assert plan.steps == (
        GeneratePassword("wave-pull-7", "password1", None, replaces=False),
        CreateCredential("myacr-wave-pull", HOST, "wave-pull-7", 7),
    )


def test_a_disabled_token_is_reported_not_enabled_behind_the_users_back() -> None:
    plan = decide(
        facts(credential=credential(), token=token(enabled=False), scope_map=scope_map(READ_APP)),
        OPTIONS,
        NOW,
    )
    assert plan.outcome is Readiness.BLOCKED and "--status enabled" in plan.remedy


def test_a_credential_that_is_not_a_token_is_left_alone() -> None:
    plan = decide(facts(credential=credential(user="myacr")), OPTIONS, NOW)
    assert plan.outcome is Readiness.UNMANAGED and plan.steps == ()


def test_a_system_scope_map_is_never_changed() -> None:
    system = scope_map(READ_APP, name="_repositories_pull", system=True)
    plan = decide(
        facts(
            credential=credential(), token=token(scope_map="_repositories_pull"), scope_map=system
        ),
        OPTIONS,
        NOW,
    )
    assert plan.outcome is Readiness.BLOCKED


def test_more_than_500_actions_are_refused_unless_wildcards_are_asked_for() -> None:
    many = tuple(f"lab/tool{i:03d}" for i in range(501))
    plan = decide(facts(repositories=many), OPTIONS, NOW)
    assert plan.outcome is Readiness.BLOCKED and "--wildcard" in plan.remedy
    wild = decide(facts(repositories=many), replace(OPTIONS, wildcards=("lab",)), NOW)
    assert wild.steps[0] == CreateScopeMap(
        "wave-pull-7-scope-map", ("repositories/lab/*/content/read",)
    )


def test_extending_counts_the_existing_actions_against_the_limit() -> None:
    existing = scope_map(*(f"repositories/old{i}/content/read" for i in range(499)))
    assert decide(facts(scope_map=existing), OPTIONS, NOW).outcome is Readiness.BLOCKED


def test_wildcards_only_for_the_named_prefixes() -> None:
    actions = needed_actions(["team/app", "team/tool", "solo"], [], ["team/"])
    assert actions == ("repositories/team/*/content/read", "repositories/solo/content/read")


def test_expiry_is_carried_into_the_password_step() -> None:
    expiry = NOW + timedelta(days=90)
    plan = decide(facts(), replace(OPTIONS, expiry=expiry), NOW)
    password = plan.steps[2]
    assert isinstance(password, GeneratePassword) and password.expiry == expiry
    assert "expiring 2026-08-30" in password.describe()


def test_no_free_credential_name_blocks() -> None:
    plan = decide(facts(credential_name="", credential_name_problem="taken"), OPTIONS, NOW)
    assert plan.outcome is Readiness.BLOCKED and "taken" in plan.reason


def test_plan_json_and_text_hold_names_not_secrets() -> None:
    plan = ProvisionPlan((decide(facts(), OPTIONS, NOW),))
    data = plan.to_dict()
    assert data["schema_version"] == 1
    [registry] = data["registries"]
    assert [s["action"] for s in registry["steps"]] == [
        "create_scope_map",
        "create_token",
        "generate_password",
        "create_credential",
    ]
    assert registry["steps"][0]["actions"] == [READ_APP, READ_TOOL]
    assert any("create token wave-pull-7" in line for line in plan.describe())


def test_acr_repositories_groups_by_registry_and_skips_other_hosts() -> None:
    def use(image: str, registry: str, repo: str, acr: bool) -> ImageUse:
        return ImageUse(image, registry, repo, "1", None, acr, ("P",))

    found = acr_repositories(
        [
            use("a", HOST, "team/b", True),
            use("b", HOST, "team/a", True),
            use("c", HOST, "team/a", True),
            use("d", "quay.io", "x/y", False),
        ]
    )
    assert found == {HOST: ("team/a", "team/b")}


@pytest.mark.parametrize("name", ["abcd", "has_underscore", "x" * 51, "dot.name"])
def test_token_names_follow_acrs_rule(name: str) -> None:
    with pytest.raises(InputError):
        names.check_token_name(name)


def test_derived_names_stay_within_acrs_limits() -> None:
    assert names.default_token_name(7) == "wave-pull-7"
    assert names.default_token_name(None) == "wave-pull-personal"
    long = names.scope_map_name_for("t" * 50)
    assert len(long) == 50 and long.endswith("-scope-map")
    assert names.credential_names_for("myacr")[:2] == ["myacr-wave-pull", "myacr-wave-pull-2"]
    for name in names.credential_names_for("myacr"):
        names.check_credential_name(name)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("90d", NOW + timedelta(days=90)),
        ("2w", NOW + timedelta(days=14)),
        ("1y", NOW + timedelta(days=365)),
        ("2027-01-31", datetime(2027, 1, 31, tzinfo=timezone.utc)),
        ("2027-01-31T12:00:00Z", datetime(2027, 1, 31, 12, tzinfo=timezone.utc)),
    ],
)
def test_expiry_parses_durations_and_dates(text: str, expected: datetime) -> None:
    assert names.parse_expiry(text, NOW) == expected


@pytest.mark.parametrize("text", ["soon", "2020-01-01", "0d", "-5d"])
def test_expiry_refuses_nonsense_and_the_past(text: str) -> None:
    with pytest.raises(InputError):
        names.parse_expiry(text, NOW)
