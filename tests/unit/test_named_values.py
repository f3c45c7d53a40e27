"""Named constants in stored documents (:func:`antfin.serialization.named`)."""

from __future__ import annotations

import attrs
import pytest

from antfin.books.kinds import NAMED
from antfin.credit.huabei import HuabeiConfig
from antfin.errors import SerializationError
from antfin.money import CNY
from antfin.serialization import from_data, named, to_data


@attrs.frozen
class _Terms:
    days: int


@attrs.frozen
class _Holder:
    terms: _Terms
    other: _Terms | None = None


STANDARD = named("test/terms/1", _Terms(30))


def test_an_equal_value_is_stored_by_its_name_and_loads_as_the_constant() -> None:
    data = to_data(_Holder(_Terms(30), _Terms(30)))
    assert data == {"terms": {"$named": "test/terms/1"}, "other": {"$named": "test/terms/1"}}
    loaded: _Holder = from_data(_Holder, data)
    assert loaded.terms is STANDARD
    assert loaded.other is STANDARD


def test_another_value_is_stored_whole() -> None:
    assert to_data(_Holder(_Terms(7))) == {"terms": {"days": 7}, "other": None}


def test_a_name_cannot_change_its_value() -> None:
    assert named("test/terms/1", _Terms(30)) == STANDARD  # naming the same value again is harmless
    with pytest.raises(SerializationError, match="already given"):
        named("test/terms/1", _Terms(31))


def test_only_attrs_values_with_a_text_name() -> None:
    with pytest.raises(TypeError):
        named("test/number", 3)
    with pytest.raises(TypeError):
        named("", _Terms(1))


@pytest.mark.parametrize(
    "data",
    [
        {"$named": "test/terms/unknown"},
        {"$named": 3},
        {"$named": "test/terms/1", "days": 30},
        {"$named": "huabei-config/1"},  # a constant of another type
    ],
)
def test_a_bad_name_is_refused_naming_the_path(data: object) -> None:
    with pytest.raises(SerializationError, match=r"\$\.terms: expected the name of a _Terms constant"):
        from_data(_Holder, {"terms": data})


def test_the_books_name_the_default_configurations() -> None:
    assert NAMED["huabei-config/1"] == HuabeiConfig()
    changed = attrs.evolve(HuabeiConfig(), max_line=CNY("60000"))
    assert to_data(HuabeiConfig()) == {"$named": "huabei-config/1"}
    assert "max_line" in to_data(changed)  # a program's own configuration is stored whole
    assert from_data(HuabeiConfig, to_data(changed)) == changed


def test_an_account_document_names_its_default_policies_and_older_documents_still_load() -> None:
    from antfin import Books
    from antfin.calendar import shanghai
    from antfin.payments import Account, AccountClassPolicy, WithdrawalFeePolicy

    books = Books.memory()
    with books.transaction() as tx:
        account = tx.accounts.open("ann", opened_at=shanghai(2024, 3, 1))
        data = to_data(account)
        assert data["class_policy"] == {"$named": "account-class-policy/pboc-2015"}
        assert data["withdrawal_policy"] == {"$named": "withdrawal-fee-policy/alipay-2016"}
        # A document written before the policies had names holds their fields; it loads to the same account.
        older = dict(data, class_policy={"limits": [to_data(limit) for limit in AccountClassPolicy().limits]})
        loaded: Account = from_data(Account, older, ledger=tx.ledger)
        assert loaded.class_policy == AccountClassPolicy()
        assert loaded.withdrawal_policy is NAMED["withdrawal-fee-policy/alipay-2016"]
        assert isinstance(loaded.withdrawal_policy, WithdrawalFeePolicy)


def test_a_profile_document_names_its_scale_and_weights_and_older_documents_still_load() -> None:
    from datetime import date

    from antfin.credit import CreditProfile
    from antfin.credit.profile import DEFAULT_WEIGHTS, FICO, SESAME

    profile = CreditProfile.of("ann", 700, date(2024, 3, 1))
    data = to_data(profile)
    assert data["scale"] == {"$named": "credit-scale/sesame/1"}
    assert data["weights"] == {"$named": "dimension-weights/sesame/1"}
    assert to_data(CreditProfile.of("bo", 700, date(2024, 3, 1), scale=FICO))["scale"] == {
        "$named": "credit-scale/fico/1"
    }
    # A document written before the scale and weights had names (as stored by 0.2.0 development builds) holds their
    # fields; it loads to the same profile.
    older = {
        "dimensions": None,
        "history": [{"on": "2024-03-01", "score": 700}],
        "scale": {
            "bands": [
                {"high": 549, "low": 350, "name_en": "Poor", "name_zh": "较差"},
                {"high": 599, "low": 550, "name_en": "Fair", "name_zh": "中等"},
                {"high": 649, "low": 600, "name_en": "Good", "name_zh": "良好"},
                {"high": 699, "low": 650, "name_en": "Very good", "name_zh": "优秀"},
                {"high": 950, "low": 700, "name_en": "Excellent", "name_zh": "极好"},
            ],
            "maximum": 950,
            "minimum": 350,
            "name": "Sesame",
        },
        "subject": "ann",
        "weights": {
            "pairs": [
                ["CREDIT_HISTORY", "35"],
                ["BEHAVIOUR_PREFERENCES", "20"],
                ["FULFILMENT_CAPACITY", "25"],
                ["IDENTITY_TRAITS", "15"],
                ["SOCIAL_CONNECTIONS", "5"],
            ]
        },
    }
    loaded: CreditProfile = from_data(CreditProfile, older)
    assert loaded == profile
    assert loaded.scale == SESAME
    assert loaded.weights == DEFAULT_WEIGHTS
