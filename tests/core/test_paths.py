"""Per-path policies: whole-segment prefixes, full-match regexes, and which entry wins."""

from __future__ import annotations

import re

import pytest

from cors_wsgi import ConfigError, PathPolicies, Policy
from cors_wsgi.core.errors import Code

API = Policy(allow_origins=["https://app.example.com"], allow_credentials=True)
PUBLIC = Policy(allow_origins="*")
NESTED = Policy(allow_origins=["https://docs.example.com"])
VERSIONED = Policy(allow_origins=["https://v.example.com"])


@pytest.fixture
def paths() -> PathPolicies:
    return PathPolicies(
        {
            "/api/": API,
            "/public": PUBLIC,
            "/api/public/": NESTED,
            re.compile(r"/v[0-9]+/.*"): VERSIONED,
        }
    )


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/api", API),
        ("/api/", API),
        ("/api/users/1", API),
        ("/apiary", None),  # whole segments only
        ("/public/x", PUBLIC),
        ("/publicity", None),
        ("/api/public/x", NESTED),  # the longest prefix wins, whatever the order
        ("/api/publicity", API),
        ("/v2/things", VERSIONED),
        ("/v2", None),  # full match, not a prefix match
        ("/xv2/things", None),
        ("/", None),
    ],
)
def test_policy_for(paths: PathPolicies, path: str, expected: Policy | None) -> None:
    assert paths.policy_for(path) is expected


def test_regex_keys_are_tried_before_prefixes() -> None:
    paths = PathPolicies({"/api/": API, re.compile(r"/api/v[0-9]+/.*"): VERSIONED})
    assert paths.policy_for("/api/v1/x") is VERSIONED
    assert paths.policy_for("/api/x") is API


def test_root_prefix_matches_everything() -> None:
    paths = PathPolicies({"/": PUBLIC, "/api/": API})
    assert paths.policy_for("/anything") is PUBLIC
    assert paths.policy_for("/api/x") is API


def test_dict_values_become_policies() -> None:
    paths = PathPolicies({"/api/": {"allow_origins": ["https://app.example.com"]}})
    policy = paths.policy_for("/api/x")
    assert policy is not None and policy.allow_origins == ("https://app.example.com",)


def test_all_problems_are_reported_with_their_path() -> None:
    with pytest.raises(ConfigError) as caught:
        PathPolicies(
            {
                "api/": API,
                "/a/": {"allow_origins": ["*"], "allow_credentials": True},
                "/b": PUBLIC,
                "/b/": PUBLIC,
                3: PUBLIC,
            }
        )
    problems = caught.value.errors
    assert [p.code for p in problems] == [
        Code.BAD_PATH,
        Code.ANY_ORIGIN_WITH_CREDENTIALS,
        Code.BAD_PATH,
        Code.BAD_PATH,
    ]
    assert problems[1].option == "paths['/a/'].allow_origins"


def test_paths_must_be_a_mapping() -> None:
    with pytest.raises(ConfigError):
        PathPolicies([("/api/", API)])  # type: ignore[arg-type]
