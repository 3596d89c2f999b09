"""Reading the CSV files people bring: their encoding, their delimiter, and the
workbooks and PDFs picked by mistake, each refused with what to do instead."""

from __future__ import annotations

import codecs
import csv
import io

# Files that are often picked by mistake, by their first bytes.
BINARY_SIGNATURES = (
    (b"PK\x03\x04", "a zip archive (an Excel .xlsx workbook is one)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel .xls workbook"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
)
SAVE_AS_CSV = 'Save the sheet as "CSV UTF-8" and try again.'


class ImportFailed(Exception):
    """The file as a whole cannot be imported; nothing was written."""


def _looks_binary(sample: bytes) -> bool:
    if b"\x00" in sample:
        return True
    controls = sum(1 for byte in sample if byte < 32 and byte not in b"\t\n\r\f")
    return controls > len(sample) // 20


def decode(data: bytes, encoding: str | None = None) -> str:
    """The file's text: UTF-8 with or without a BOM, UTF-16 with one, or ``encoding``."""
    if not data.strip():
        raise ImportFailed("The file is empty.")
    for signature, kind in BINARY_SIGNATURES:
        if data.startswith(signature):
            raise ImportFailed(f"This is {kind}, not a CSV file. {SAVE_AS_CSV}")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        encoding = encoding or "utf-16"
    elif data.startswith(codecs.BOM_UTF8):
        encoding = encoding or "utf-8-sig"
    elif _looks_binary(data[:4096]):
        raise ImportFailed(f"This is a binary file, not a CSV file. {SAVE_AS_CSV}")
    try:
        text = data.decode(encoding or "utf-8")
    except LookupError:
        raise ImportFailed(f"Unknown encoding {encoding!r}.") from None
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        named = encoding or "UTF-8"
        raise ImportFailed(
            f"Line {line} is not {named} text. {SAVE_AS_CSV} If it was written in another "
            "encoding, name it (for example cp1252 for older Excel on Windows)."
        ) from None
    return text.removeprefix("\ufeff")


def read_table(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The header (lower case) and the records with the line each ends on."""
    first_line = text.lstrip("\r\n").split("\n", 1)[0]
    # Excel writes ";" where "," is the decimal mark, and tabs for "Unicode text".
    # The header decides: column names are plain words, maybe quoted.
    try:
        delimiter = csv.Sniffer().sniff(first_line, delimiters=",;\t").delimiter
    except csv.Error:
        delimiter = ","  # a single column
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header: list[str] | None = None
    records: list[tuple[int, list[str]]] = []
    try:
        for values in reader:
            if not any(value.strip() for value in values):
                continue
            if header is None:
                header = [value.strip().lower() for value in values]
            else:
                records.append((reader.line_num, values))
    except csv.Error as error:
        raise ImportFailed(f"Line {reader.line_num} cannot be read as CSV: {error}.") from None
    if header is None:
        raise ImportFailed("The file is empty.")
    return header, records
