"""WWW-Authenticate parsing: ACR's shapes, several challenges in one header, odd spacing."""

from __future__ import annotations

from preflight.registry.challenge import parse_challenges, pick_challenge


def test_acr_challenge_on_v2_has_realm_and_service_but_no_scope() -> None:
    (challenge,) = parse_challenges(
        'Bearer realm="https://reg.azurecr.io/oauth2/token",service="reg.azurecr.io"'
    )
    assert challenge.is_bearer
    assert challenge.realm == "https://reg.azurecr.io/oauth2/token"
    assert challenge.service == "reg.azurecr.io"
    assert challenge.scope is None


def test_insufficient_scope_challenge_carries_scope_and_error() -> None:
    (challenge,) = parse_challenges(
        'Bearer realm="https://r/oauth2/token",service="r",'
        'scope="repository:team/app:pull",error="insufficient_scope"'
    )
    assert challenge.scope == "repository:team/app:pull"
    assert challenge.error == "insufficient_scope"


def test_scheme_and_parameter_names_are_case_insensitive_and_spacing_is_tolerated() -> None:
    (challenge,) = parse_challenges('BEARER Realm = "https://r/t" ,  Service=r')
    assert challenge.is_bearer
    assert (challenge.realm, challenge.service) == ("https://r/t", "r")


def test_two_challenges_in_one_header_are_both_read() -> None:
    first, second = parse_challenges(
        'Bearer realm="https://r/t", service="r", Basic realm="Azure Container Registry"'
    )
    assert first.is_bearer and first.service == "r"
    assert second.is_basic and second.realm == "Azure Container Registry"


def test_quoted_commas_and_escapes_stay_inside_the_value() -> None:
    (challenge,) = parse_challenges(r'Bearer realm="https://r/t?a=1,b=2",service="a \"q\""')
    assert challenge.realm == "https://r/t?a=1,b=2"
    assert challenge.service == 'a "q"'


def test_pick_prefers_bearer_then_basic_and_ignores_unknown_schemes() -> None:
    bearer = pick_challenge(['Basic realm="x"', 'Bearer realm="https://y"'])
    assert bearer is not None and bearer.realm == "https://y"
    basic = pick_challenge(["Negotiate", 'Basic realm="Azure Container Registry"'])
    assert basic is not None and basic.is_basic
    assert pick_challenge(["Negotiate abc"]) is None
    assert pick_challenge([]) is None
