import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from hypothesis import given
from hypothesis import strategies as st

from bastion.core.idcard import check_code, mask_id_number, validate_id_number
from bastion.core.pinyin import pinyin_keys


def test_known_valid_number_passes():
    # The GB 11643 worked example.
    assert validate_id_number("11010519491231002x") == "11010519491231002X"


@pytest.mark.parametrize(
    "value,code",
    [
        ("110105194912310021", "checksum"),
        ("110105491231002", "legacy"),
        ("1101051949123100", "length"),
        ("11010519491331002X", "birth"),
        ("11010519491231A02X", "chars"),
    ],
)
def test_bad_numbers_are_refused_with_a_reason(value, code):
    with pytest.raises(ValidationError) as info:
        validate_id_number(value)
    assert info.value.code == code


@given(
    st.dates(min_value=dt.date(1930, 1, 1), max_value=dt.date(2008, 12, 31)),
    st.integers(min_value=0, max_value=999),
)
def test_any_number_with_its_check_code_is_valid(birth, serial):
    first17 = f"440902{birth:%Y%m%d}{serial:03d}"
    assert validate_id_number(first17 + check_code(first17)) == first17 + check_code(first17)


def test_mask_keeps_region_and_last_four():
    assert mask_id_number("11010519491231002X") == "110105********002X"


def test_pinyin_keys_of_a_name():
    assert pinyin_keys("张三") == ("zhangsan", "zs")
    assert pinyin_keys("吕绿") == ("lvlv", "ll")
