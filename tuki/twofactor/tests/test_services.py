"""The second-factor services: TOTP with real codes at a frozen clock, recovery codes,
removal, the policy and an administrator's reset."""

from __future__ import annotations

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied

from tuki.audit.models import Action, AuditEntry
from tuki.lib.errors import ServiceError
from tuki.twofactor import services
from tuki.twofactor.models import Policy, RecoveryCode, TotpDevice, TrustedBrowser
from tuki.twofactor.tests.conftest import SECRET, code, enrol, next_step


def test_an_app_is_added_with_a_right_first_code_and_ten_recovery_codes(desk, frozen):
    device, codes = enrol(desk.operator)
    assert device.user == desk.operator
    assert len(codes) == 10 and len(set(codes)) == 10
    assert RecoveryCode.objects.filter(user=desk.operator).count() == 10
    # Only digests are kept.
    assert not RecoveryCode.objects.filter(digest__in=codes).exists()
    assert TotpDevice.objects.get().secret == SECRET  # read back decrypted


def test_a_second_app_makes_no_new_recovery_codes(desk, frozen):
    enrol(desk.operator)
    next_step(frozen)
    _device, codes = enrol(desk.operator)
    assert codes == []


def test_a_wrong_first_code_adds_nothing(desk, frozen):
    wrong = "000000" if code() != "000000" else "111111"
    with pytest.raises(ServiceError) as caught:
        services.add_totp(desk.operator, secret=SECRET, code=wrong, name="Phone")
    assert caught.value.field == "code"
    assert not TotpDevice.objects.exists()
    assert not RecoveryCode.objects.exists()


def test_a_code_is_accepted_once(desk, frozen):
    enrol(desk.operator)
    next_step(frozen)
    now = code()
    assert services.verify_totp(desk.operator, now) is not None
    assert services.verify_totp(desk.operator, now) is None  # replayed


def test_the_enrolment_code_cannot_be_used_to_sign_in(desk, frozen):
    first = code()
    enrol(desk.operator)
    assert services.verify_totp(desk.operator, first) is None


def test_a_code_of_the_neighbouring_step_counts_but_not_older(desk, frozen):
    enrol(desk.operator)
    for _ in range(4):
        next_step(frozen)
    assert services.verify_totp(desk.operator, code(shift=-2)) is None
    assert services.verify_totp(desk.operator, code(shift=-1)) is not None
    assert services.verify_totp(desk.operator, code(shift=1)) is not None


def test_another_persons_code_does_not_work(desk, frozen):
    enrol(desk.operator)
    enrol(desk.specialist, secret="KRSXG5CTMVRXEZLUKRSXG5CTMVRXEZLU")
    next_step(frozen)
    assert services.verify_totp(desk.specialist, code()) is None


def test_recovery_codes_work_once_each(desk, frozen):
    _device, codes = enrol(desk.operator)
    assert services.verify_code(desk.operator, codes[0].upper()) == "recovery"
    assert services.verify_code(desk.operator, codes[0]) is None
    assert services.verify_code(desk.specialist, codes[1]) is None  # not theirs
    assert services.use_recovery_code(desk.operator, codes[1].replace("-", " "))
    assert services.factors_of(desk.operator).recovery_left == 8


def test_new_recovery_codes_replace_the_old(desk, frozen):
    _device, old = enrol(desk.operator)
    new = services.regenerate_recovery_codes(desk.operator)
    assert not services.use_recovery_code(desk.operator, old[0])
    assert services.use_recovery_code(desk.operator, new[0])


def test_recovery_codes_need_a_factor(desk):
    with pytest.raises(ServiceError):
        services.regenerate_recovery_codes(desk.operator)


def test_removing_the_last_factor_removes_recovery_codes_and_browsers(desk, frozen):
    device, _codes = enrol(desk.operator)
    services.remember_browser(desk.operator)
    services.remove_totp(desk.operator, device)
    assert not RecoveryCode.objects.exists()
    assert not TrustedBrowser.objects.exists()
    assert not services.has_factor(desk.operator)


def test_nobody_removes_another_persons_app(desk, frozen):
    device, _codes = enrol(desk.operator)
    with pytest.raises(PermissionDenied):
        services.remove_totp(desk.specialist, device)


def test_a_remembered_browser_expires(desk, frozen, settings):
    raw = services.remember_browser(desk.operator)
    assert services.is_remembered(desk.operator, raw)
    assert not services.is_remembered(desk.specialist, raw)
    frozen.shift(settings.TWOFACTOR_REMEMBER_DAYS * 86400 + 1)
    assert not services.is_remembered(desk.operator, raw)


@pytest.mark.parametrize(
    ("flags", "covered"),
    [
        ({"for_administrators": True}, {"admin"}),
        ({"for_agents": True}, {"operator", "specialist"}),
        ({"for_requesters": True}, {"requester"}),
        (
            {"for_administrators": True, "for_agents": True, "for_requesters": True},
            {"admin", "operator", "specialist", "requester"},
        ),
    ],
)
def test_the_policy_covers_roles(desk, flags, covered):
    policy = services.save_policy(
        desk.admin,
        **{"for_administrators": False, "for_agents": False, "for_requesters": False, **flags},
    )
    people = {
        name: getattr(desk, name) for name in ("admin", "operator", "specialist", "requester")
    }
    assert {name for name, person in people.items() if policy.covers(person)} == covered


def test_only_administrators_set_the_policy(desk):
    with pytest.raises(PermissionDenied):
        services.save_policy(
            desk.operator, for_administrators=False, for_agents=False, for_requesters=False
        )
    assert not Policy.objects.exists()


def test_a_policy_change_is_audited(desk):
    services.save_policy(desk.admin, for_administrators=True, for_agents=True, for_requesters=False)
    assert AuditEntry.objects.filter(object_repr="second factor policy").exists()


def test_an_administrator_resets_a_persons_factors_audited_and_mailed(
    desk, frozen, django_capture_on_commit_callbacks
):
    enrol(desk.operator)
    services.remember_browser(desk.operator)
    with django_capture_on_commit_callbacks(execute=True):
        removed = services.reset_factors(desk.admin, desk.operator)
    assert removed == 1
    assert not services.has_factor(desk.operator)
    assert not RecoveryCode.objects.exists() and not TrustedBrowser.objects.exists()
    entry = AuditEntry.objects.get(action=Action.DELETE)
    assert entry.actor_label and entry.changes.get("secret") != SECRET
    assert SECRET not in str(entry.changes)
    [message] = mail.outbox
    assert message.to == [desk.operator.email]
    assert "second factors" in message.subject


def test_no_mail_when_there_was_nothing_to_reset(desk, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reset_factors(desk.admin, desk.operator) == 0
    assert mail.outbox == []


def test_agents_reset_nothing_and_admins_not_their_own(desk, frozen):
    enrol(desk.admin)
    with pytest.raises(PermissionDenied):
        services.reset_factors(desk.operator, desk.admin)
    with pytest.raises(ServiceError):
        services.reset_factors(desk.admin, desk.admin)
    assert services.has_factor(desk.admin)


def test_a_staff_administrator_cannot_reset_a_superuser(desk, frozen):
    staff = desk.lead
    staff.is_staff = True
    staff.save()
    enrol(desk.admin)
    with pytest.raises(PermissionDenied):
        services.reset_factors(staff, desk.admin)
