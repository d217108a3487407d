"""Input formats for this language: dd/mm/yyyy first, ISO accepted (see ``platform/dates.py``).

Other formats fall back to Django's own locale module."""

from novasaas.platform.dates import DATE_INPUT_FORMATS as DATE_INPUT_FORMATS

DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M", "%Y-%m-%d"]
