"""Reading .bib bytes: BOMs, JabRef's declared encoding, UTF-8, guesses and mojibake, each doubt warned."""

from __future__ import annotations

import codecs
from pathlib import Path

import pytest

from kbase.formats.bibtex.parse import parse_text, read_text
from kbase.formats.encoding import decode_bytes, fix_mojibake, read_bib

BIB = "@book{a, title = {Société civile – l’été à Kinshasa}, author = {Müller, Jürgen}, year = 2018}\n"


@pytest.mark.parametrize("bom, codec", [
    (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"), (codecs.BOM_UTF16_BE, "utf-16-be"),
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF32_BE, "utf-32-be"),
])
def test_boms(bom: bytes, codec: str) -> None:
    got = decode_bytes(bom + BIB.encode(codec))
    assert (got.text, got.encoding, got.warnings) == (BIB, codec, [])


def test_utf16_with_bom_as_python_writes_it(tmp_path: Path) -> None:
    path = tmp_path / "u16.bib"
    path.write_bytes(BIB.encode("utf-16"))  # Python's utf-16 writes a BOM first
    got = read_bib(path)
    assert got.text == BIB and got.encoding.startswith("utf-16") and got.warnings == []
    assert parse_text(read_text(str(path))).entries[0].fields["title"] == "Société civile – l’été à Kinshasa"


def test_utf16_without_bom_is_guessed() -> None:
    got = decode_bytes(BIB.encode("utf-16-le"))
    assert got.text == BIB and got.encoding == "utf-16-le" and got.warnings == ["read as utf-16-le (guessed)"]


def test_plain_utf8_and_ascii_need_no_warning() -> None:
    assert decode_bytes(BIB.encode("utf-8")).warnings == []
    assert decode_bytes(b"@misc{a, title={A}}").encoding == "utf-8"


def test_jabref_header_declares_latin1() -> None:
    text = "% Encoding: ISO8859_1\n\n@book{a, title = {Société à Liège}}\n"
    got = decode_bytes(text.encode("latin-1"))
    assert (got.text, got.encoding, got.warnings) == (text, "iso8859-1", [])


def test_jabref_meta_comment_declares_the_encoding() -> None:
    text = "@book{a, title = {Société – “quoted”}}\n@comment{jabref-meta: encoding:windows-1252;}\n"
    got = decode_bytes(text.encode("cp1252"))
    assert (got.text, got.encoding, got.warnings) == (text, "cp1252", [])


def test_a_false_declaration_is_warned_and_the_guess_used() -> None:
    got = decode_bytes("% Encoding: UTF-8\n@book{a, title = {Société}}\n".encode("latin-1"))
    assert "Société" in got.text and got.encoding == "cp1252"
    assert got.warnings == ["the file declares the encoding UTF-8, but is not valid utf-8", "read as cp1252 (guessed)"]


def test_latin1_without_declaration_is_read_as_cp1252_guessed() -> None:
    got = decode_bytes("@book{a, title = {Société civile et développement à Kinshasa}}\n".encode("latin-1"))
    assert "Société civile et développement à Kinshasa" in got.text
    assert got.encoding == "cp1252" and got.warnings == ["read as cp1252 (guessed)"]


def test_gbk_file_is_guessed(tmp_path: Path) -> None:
    text = ("@book{g1, title = {中国的矿业与冲突研究}, author = {王小明}, year = {2019}}\n"
            "@article{g2, title = {刚果民主共和国东部的矿产资源与武装冲突}, journal = {非洲研究}, year = 2020}\n")
    path = tmp_path / "gbk.bib"
    path.write_bytes(text.encode("gbk"))
    got = read_bib(path)
    assert got.text == text and got.encoding in ("gbk", "gb18030", "gb2312")
    assert got.warnings == [f"read as {got.encoding} (guessed)"]
    assert [e.fields["title"] for e in parse_text(got.text).entries] == [
        "中国的矿业与冲突研究", "刚果民主共和国东部的矿产资源与武装冲突"]


def test_a_few_chinese_characters_and_korean() -> None:
    zh = ("@ARTICLE{凯萨2013,\n  author = {凯萨},\n  title = {Test Title},\n  year = {2013},\n"
          "  journal = {测试期刊}\n}\n")
    assert decode_bytes(zh.encode("gbk")).text == zh
    ko = "@article{k1, author = {김철수 and 이영희}, title = {한국 광업과 분쟁에 관한 연구}, year = 2019}\n"
    assert decode_bytes(ko.encode("euc-kr")).text == ko


def test_one_latin1_byte_in_a_long_ascii_file() -> None:
    text = "@misc{a, note = {plain ASCII}}\n" * 100 + "@misc{b, title = {Abschluß des Vertrags}}\n"
    got = decode_bytes(text.encode("latin-1"))
    assert got.text == text and got.encoding == "cp1252"


def test_shift_jis_and_cyrillic_are_guessed() -> None:
    jp = "@book{j1, title = {日本の鉱業と紛争の研究}, author = {山田太郎}, year = {2019}}\n"
    assert decode_bytes(jp.encode("shift_jis")).text == jp
    ru = "@book{r1, title = {Горнодобывающая промышленность и конфликты}, author = {Иванов, Пётр}}\n"
    assert decode_bytes(ru.encode("cp1251")).text == ru


def test_double_encoded_utf8_is_repaired() -> None:
    broken = BIB.encode("utf-8").decode("cp1252").encode("utf-8")  # "SociÃ©tÃ©", "lâ€™Ã©tÃ©"
    got = decode_bytes(broken)
    assert got.text == BIB and got.encoding == "utf-8"
    assert got.warnings == ["9 places held UTF-8 read as Latin-1 (like 'Ã©' for 'é'); re-read as UTF-8"]


def test_utf8_declared_as_latin1_is_repaired() -> None:
    text = "% Encoding: ISO8859_1\n" + BIB
    got = decode_bytes(text.encode("utf-8"))
    assert got.text == text and got.encoding == "iso8859-1" and "re-read as UTF-8" in got.warnings[0]


def test_mojibake_left_alone_when_it_does_not_decode() -> None:
    assert fix_mojibake("plain Société, CAFÉ» and naïve") == ("plain Société, CAFÉ» and naïve", 0, 0)
    text, fixed, left = fix_mojibake("SociÃ©tÃ© and Ã©x à€€")  # E0 80 80 is no UTF-8
    assert (text, fixed, left) == ("Société and éx à€€", 3, 1)


def test_utf8_with_a_stray_latin1_byte() -> None:
    got = decode_bytes("@book{a, title = {Société}, note = {Caf".encode("utf-8") + b"\xe9}}\n")
    assert got.text == "@book{a, title = {Société}, note = {Café}}\n" and got.encoding == "utf-8"
    assert got.warnings == ["read as utf-8; 1 byte that is not UTF-8 read as cp1252"]


def test_undecodable_characters_are_counted() -> None:
    got = decode_bytes(codecs.BOM_UTF8 + b"@book{a, title = {x\xff\xfe}}\n")
    assert got.text.count("\ufffd") == 2 and got.warnings == ["2 characters could not be decoded (shown as \ufffd)"]


def test_control_characters_do_not_stop_the_parser() -> None:
    got = decode_bytes(b"@book{a, title = {Nul\x00 and bell\x07 and \x1b}, year = 2020}\n@misc{b, title={B}}\n")
    parsed = parse_text(got.text)
    assert [e.key for e in parsed.entries] == ["a", "b"] and parsed.problems == []
