"""Numbers as users type and read them: what the app displays is accepted back, in both languages."""

from decimal import Decimal

import pytest
from django import forms
from django.utils import translation

from novasaas.platform.numbers import NumberField, format_number, format_quantity, parse_number


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize(
    ("text", "places", "expected"),
    [
        ("1.500.000", 2, "1500000"),
        ("1,500,000", 2, "1500000"),
        ("1 500 000", 2, "1500000"),
        ("1\u00a0500\u00a0000 ₫", 2, "1500000"),
        ("1.500.000,50", 2, "1500000.50"),
        ("1,500,000.50", 2, "1500000.50"),
        ("1,500", 2, "1500"),  # money takes at most 2 decimals: three digits after are thousands
        ("1.500", 0, "1500"),
        ("33.333,5", 2, "33333.5"),
        ("2,5", 4, "2.5"),
        ("2.5", 4, "2.5"),
        ("-1.200", 0, "-1200"),
        ("1500000", 2, "1500000"),
        ("0", 2, "0"),
    ],
)
def test_parse_number_accepts_both_styles(language, text, places, expected):
    assert parse_number(text, decimal_places=places, language=language) == Decimal(expected)


def test_a_lone_separator_before_three_digits_follows_the_language_for_quantities():
    assert parse_number("1.500", decimal_places=4, language="vi") == Decimal(1500)
    assert parse_number("1.500", decimal_places=4, language="en") == Decimal("1.5")
    assert parse_number("1,500", decimal_places=4, language="en") == Decimal(1500)
    assert parse_number("1,500", decimal_places=4, language="vi") == Decimal("1.5")


@pytest.mark.parametrize("bad", ["abc", "12a", "1.50.000", "1..2", "1.5.", "1,2.3,4", "", "--1", "1e5"])
def test_parse_number_refuses_what_is_not_a_number(bad):
    with pytest.raises(ValueError, match="not a number"):
        parse_number(bad, decimal_places=2)


def test_format_number_and_quantity():
    assert format_number(Decimal("1500000.00"), "vi") == "1.500.000"
    assert format_number(Decimal("1500000.00"), "en") == "1,500,000"
    assert format_number(Decimal("2.5000"), "vi") == "2,5"
    assert format_number(Decimal("1234.5"), "en") == "1,234.5"
    assert format_number(Decimal(0), "vi") == "0"
    assert format_number(Decimal(0), "vi", blank_zero=True) == ""
    with translation.override("vi"):
        assert format_quantity(Decimal("100.0000"), "Hộp") == "100 Hộp"
        assert format_quantity(Decimal("1200.5"), "kg") == "1.200,5 kg"


class AmountForm(forms.Form):
    amount = NumberField(label="Amount", min_value=0, max_digits=17, decimal_places=2)
    quantity = NumberField(label="Quantity", required=False, max_digits=19, decimal_places=4)


@pytest.mark.parametrize("language", ["vi", "en"])
@pytest.mark.parametrize("typed", ["1.500.000", "1,500,000", "1500000", " 1 500 000 "])
def test_number_field_reads_what_the_app_displays(language, typed):
    with translation.override(language):
        form = AmountForm({"amount": typed})
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal(1500000)


def test_letters_say_not_a_number_in_vietnamese():
    with translation.override("vi"):
        form = AmountForm({"amount": "abc"})
        assert not form.is_valid()
        message = form.errors["amount"][0]
    assert "không phải là số" in message and "1.500.000" in message
    assert "bắt buộc" not in message


def test_too_many_decimals_are_refused_not_rounded():
    with translation.override("en"):
        form = AmountForm({"amount": "1,500.505"})
        assert not form.is_valid()


def test_the_input_is_text_with_a_numeric_keypad_and_shows_the_value_formatted():
    with translation.override("vi"):
        html = str(AmountForm(initial={"amount": Decimal("1500000.00")})["amount"])
    assert 'type="text"' in html and 'inputmode="decimal"' in html and 'value="1.500.000"' in html
    assert "required" in html


class NamedForm(forms.Form):
    name = forms.CharField(label="Tên", max_length=5)
    note = forms.CharField(label="Ghi chú", required=False)
    amount = NumberField(label="Số tiền", min_value=0, max_digits=5, decimal_places=0)


def test_validation_messages_are_plain_vietnamese_without_stray_spaces():
    with translation.override("vi"):
        form = NamedForm({"name": "Nguyễn Văn A", "amount": "-1"})
        assert not form.is_valid()
        messages = [str(m) for errors in form.errors.values() for m in errors]
        assert "Tối đa 5 ký tự (đang có 12)." in messages
        assert "Giá trị phải lớn hơn hoặc bằng 0." in messages
        too_big = NamedForm({"name": "A", "amount": "1.000.000"})
        assert not too_big.is_valid()
        assert "Số quá dài: tối đa 5 chữ số." in too_big.errors["amount"]
        assert forms.IntegerField().clean("1") == 1
        with pytest.raises(forms.ValidationError) as whole:
            forms.IntegerField().clean("1,5")
    assert whole.value.messages == ["Nhập số nguyên."]  # not Django's "Nhập một số tổng thể."
    for message in messages:
        assert " ." not in message and " )" not in message and "  " not in message


def test_required_fields_are_marked_before_submitting():
    from django.template.loader import render_to_string

    with translation.override("vi"):
        html = render_to_string("form_fields.html", {"form": NamedForm()})
    name_label = html.split('for="id_name"')[1].split("</label>")[0]
    note_label = html.split('for="id_note"')[1].split("</label>")[0]
    assert "*" in name_label and "*" not in note_label
    assert 'name="name"' in html and html.split('name="name"')[1].split(">")[0].count("required") == 1
