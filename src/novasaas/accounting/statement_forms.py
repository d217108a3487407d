"""The lines of the financial statements, as data, per accounting regime.

Each regime (the tenant's chart template: ``tt133`` Circular 133/2016 for SMEs, ``tt99`` Circular
99/2025 which replaces Circular 200/2014) has its own balance sheet (B01), income statement (B02) and
cash-flow statement (B03): the line codes ("Mã số"), the Vietnamese captions of the form (what is
filed), an English caption (shown beside it in English), the note reference of the form's "Thuyết
minh" column, and where the figure comes from — either account sources or a formula over other
lines of the same form.

Sources are ``(account code prefix, rule)``; each posting account goes to the line(s) of its *longest*
listed prefix, so an account is never counted twice. Rules (``reports._RULES``): ``dr`` net debit,
``cr`` net credit, ``dr+`` debit balances only, ``cr+`` credit balances only (balances on the "wrong"
side are shown gross: per partner for 131/331, per sub-account otherwise), ``-cr`` contra accounts
shown negative, ``-dr`` minus a debit balance, ``debit``/``credit`` the period's movements (B02).
A formula is ``"110+120-124"`` over codes of the same form, evaluated after the sourced lines.

Caveats written in docs/accounting.md: the ledger does not know maturities, so the TT99 balance sheet
puts receivables, payables, loans and prepaid expenses in the short-term lines (the long-term lines
print empty unless a company maps them); the TT99 line list is the Circular 200 B01-DN/B02-DN layout
that Circular 99 keeps, without the lines of the accounts Circular 99 removed (161, 441, 461, 466);
the note references follow the numbering of the notes (B09) sections — V for the balance sheet, VI for
the income statement — and are not confirmed against the circulars' appendices.
"""

from __future__ import annotations

from decimal import Decimal
from typing import TYPE_CHECKING, NamedTuple

if TYPE_CHECKING:
    from novasaas.platform.models import Tenant

Sources = tuple[tuple[str, str], ...]


class FormLine(NamedTuple):
    code: str
    vi: str
    en: str
    level: int  # 0 grand totals, 1 sections and subtotals, 2 detail lines
    sources: Sources = ()
    formula: str = ""
    note: str = ""


def _l(code: str, vi: str, en: str, level: int = 2, src: Sources = (), f: str = "", note: str = "") -> FormLine:
    return FormLine(code, vi, en, level, src, f, note)


def _dr(*prefixes: str) -> Sources:
    return tuple((p, "dr") for p in prefixes)


# the unclosed result of the year (revenue − expenses, and 911) belongs to retained earnings until the
# year-end closing transfers it, so that assets = sources at every date
_RESULT: Sources = (("5", "cr"), ("6", "cr"), ("7", "cr"), ("8", "cr"), ("911", "cr"))
_INVENTORY = _dr("151", "152", "153", "154", "155", "156", "157", "158")

# --- Circular 133/2016: B01a-DNN (statement of financial position of a going concern) ----------------

B01_TT133: list[FormLine] = [
    _l(
        "110",
        "I. Tiền và các khoản tương đương tiền",
        "I. Cash and cash equivalents",
        1,
        _dr("111", "112"),
        note="V.01",
    ),
    _l("120", "II. Đầu tư tài chính", "II. Financial investments", 1, f="121+122+123+124", note="V.02"),
    _l("121", "1. Chứng khoán kinh doanh", "1. Trading securities", 2, _dr("121")),
    _l("122", "2. Đầu tư nắm giữ đến ngày đáo hạn", "2. Held-to-maturity investments", 2, _dr("128")),
    _l(
        "123",
        "3. Đầu tư góp vốn vào đơn vị khác",
        "3. Equity investments in other entities",
        2,
        _dr("228", "221", "222"),
    ),
    _l(
        "124",
        "4. Dự phòng tổn thất đầu tư tài chính (*)",
        "4. Allowance for investment losses (*)",
        2,
        (("229", "-cr"), ("2291", "-cr"), ("2292", "-cr")),
    ),
    _l("130", "III. Các khoản phải thu", "III. Receivables", 1, f="131+132+133+134+135+136", note="V.03"),
    _l("131", "1. Phải thu của khách hàng", "1. Trade receivables", 2, (("131", "dr+"),)),
    _l("132", "2. Trả trước cho người bán", "2. Prepayments to suppliers", 2, (("331", "dr+"),)),
    _l("133", "3. Vốn kinh doanh ở đơn vị trực thuộc", "3. Capital in dependent units", 2, _dr("1361")),
    _l(
        "134",
        "4. Phải thu khác",
        "4. Other receivables",
        2,
        (("136", "dr"), ("138", "dr+"), ("141", "dr"), ("244", "dr"), ("171", "dr"), ("334", "dr+"), ("338", "dr+")),
    ),
    _l("135", "5. Tài sản thiếu chờ xử lý", "5. Shortages of assets pending resolution", 2, _dr("1381")),
    _l("136", "6. Dự phòng phải thu khó đòi (*)", "6. Allowance for doubtful debts (*)", 2, (("2293", "-cr"),)),
    _l("140", "IV. Hàng tồn kho", "IV. Inventories", 1, f="141+142", note="V.04"),
    _l("141", "1. Hàng tồn kho", "1. Inventories", 2, _INVENTORY),
    _l(
        "142",
        "2. Dự phòng giảm giá hàng tồn kho (*)",
        "2. Allowance for inventory write-down (*)",
        2,
        (("2294", "-cr"),),
    ),
    _l("150", "V. Tài sản cố định", "V. Fixed assets", 1, f="151+152", note="V.05"),
    _l("151", "- Nguyên giá", "- Cost", 2, _dr("211", "212", "213", "215")),
    _l("152", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", 2, (("214", "-cr"),)),
    _l("160", "VI. Bất động sản đầu tư", "VI. Investment property", 1, f="161+162", note="V.06"),
    _l("161", "- Nguyên giá", "- Cost", 2, _dr("217")),
    _l("162", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", 2, (("2147", "-cr"),)),
    _l("170", "VII. Xây dựng cơ bản dở dang", "VII. Construction in progress", 1, _dr("241"), note="V.07"),
    _l("180", "VIII. Tài sản khác", "VIII. Other assets", 1, f="181+182", note="V.08"),
    _l("181", "1. Thuế GTGT được khấu trừ", "1. Deductible input VAT", 2, _dr("133")),
    _l("182", "2. Tài sản khác", "2. Other assets", 2, (("242", "dr"), ("243", "dr"), ("333", "dr+"))),
    _l("200", "TỔNG CỘNG TÀI SẢN", "TOTAL ASSETS", 0, f="110+120+130+140+150+160+170+180"),
    _l("300", "I. Nợ phải trả", "I. Liabilities", 1, f="311+312+313+314+315+316+317+318+319+320"),
    _l("311", "1. Phải trả người bán", "1. Trade payables", 2, (("331", "cr+"),), note="V.09"),
    _l("312", "2. Người mua trả tiền trước", "2. Advances from customers", 2, (("131", "cr+"),)),
    _l(
        "313",
        "3. Thuế và các khoản phải nộp Nhà nước",
        "3. Taxes and amounts payable to the State",
        2,
        (("333", "cr+"),),
        note="V.10",
    ),
    _l("314", "4. Phải trả người lao động", "4. Payables to employees", 2, (("334", "cr+"),)),
    _l(
        "315",
        "5. Phải trả khác",
        "5. Other payables",
        2,
        (
            ("335", "cr"),
            ("336", "cr"),
            ("3368", "cr"),
            ("338", "cr+"),
            ("138", "cr+"),
            ("332", "cr"),
            ("344", "cr"),
            ("337", "cr"),
        ),
        note="V.11",
    ),
    _l(
        "316",
        "6. Vay và nợ thuê tài chính",
        "6. Borrowings and finance lease liabilities",
        2,
        (("341", "cr"), ("343", "cr")),
        note="V.12",
    ),
    _l("317", "7. Phải trả nội bộ về vốn kinh doanh", "7. Intra-company capital payables", 2, (("3361", "cr"),)),
    _l("318", "8. Dự phòng phải trả", "8. Provisions", 2, (("352", "cr"), ("347", "cr")), note="V.13"),
    _l("319", "9. Quỹ khen thưởng, phúc lợi", "9. Bonus and welfare fund", 2, (("353", "cr"),)),
    _l(
        "320",
        "10. Quỹ phát triển khoa học và công nghệ",
        "10. Science and technology fund",
        2,
        (("356", "cr"), ("357", "cr")),
    ),
    _l("400", "II. Vốn chủ sở hữu", "II. Owner's equity", 1, f="411+412+413+414+415+416+417", note="V.14"),
    _l("411", "1. Vốn góp của chủ sở hữu", "1. Owner's contributed capital", 2, (("411", "cr"),)),
    _l("412", "2. Thặng dư vốn cổ phần", "2. Share premium", 2, (("4112", "cr"),)),
    _l(
        "413",
        "3. Vốn khác của chủ sở hữu",
        "3. Other owner's capital",
        2,
        (("4118", "cr"), ("412", "cr"), ("414", "cr")),
    ),
    _l("414", "4. Cổ phiếu quỹ (*)", "4. Treasury shares (*)", 2, (("419", "-dr"),)),
    _l("415", "5. Chênh lệch tỷ giá hối đoái", "5. Foreign exchange differences", 2, (("413", "cr"),)),
    _l("416", "6. Các quỹ thuộc vốn chủ sở hữu", "6. Equity funds", 2, (("418", "cr"),)),
    _l(
        "417",
        "7. Lợi nhuận sau thuế chưa phân phối",
        "7. Undistributed profit after tax",
        2,
        (("421", "cr"), *_RESULT),
    ),
    _l("500", "TỔNG CỘNG NGUỒN VỐN", "TOTAL LIABILITIES AND EQUITY", 0, f="300+400"),
]

# --- Circular 99/2025: B01-DN (the Circular 200 layout, short and long term) ---------------------------

B01_TT99: list[FormLine] = [
    _l("100", "A - TÀI SẢN NGẮN HẠN", "A - CURRENT ASSETS", 0, f="110+120+130+140+150"),
    _l("110", "I. Tiền và các khoản tương đương tiền", "I. Cash and cash equivalents", 1, f="111+112", note="V.01"),
    _l("111", "1. Tiền", "1. Cash", 2, _dr("111", "112", "113")),
    _l("112", "2. Các khoản tương đương tiền", "2. Cash equivalents", 2),
    _l("120", "II. Đầu tư tài chính ngắn hạn", "II. Short-term financial investments", 1, f="121+122+123", note="V.02"),
    _l("121", "1. Chứng khoán kinh doanh", "1. Trading securities", 2, _dr("121")),
    _l(
        "122",
        "2. Dự phòng giảm giá chứng khoán kinh doanh (*)",
        "2. Allowance for trading securities (*)",
        2,
        (("2291", "-cr"),),
    ),
    _l("123", "3. Đầu tư nắm giữ đến ngày đáo hạn", "3. Held-to-maturity investments", 2, _dr("128")),
    _l(
        "130",
        "III. Các khoản phải thu ngắn hạn",
        "III. Short-term receivables",
        1,
        f="131+132+133+134+135+136+137+139",
    ),
    _l(
        "131",
        "1. Phải thu ngắn hạn của khách hàng",
        "1. Short-term trade receivables",
        2,
        (("131", "dr+"),),
        note="V.03",
    ),
    _l("132", "2. Trả trước cho người bán ngắn hạn", "2. Short-term prepayments to suppliers", 2, (("331", "dr+"),)),
    _l("133", "3. Phải thu nội bộ ngắn hạn", "3. Short-term intra-company receivables", 2, _dr("136")),
    _l(
        "134",
        "4. Phải thu theo tiến độ kế hoạch hợp đồng xây dựng",
        "4. Receivables from construction contract progress",
        2,
        (("337", "dr+"),),
    ),
    _l("135", "5. Phải thu về cho vay ngắn hạn", "5. Short-term loans receivable", 2, _dr("1283")),
    _l(
        "136",
        "6. Phải thu ngắn hạn khác",
        "6. Other short-term receivables",
        2,
        (("138", "dr+"), ("141", "dr"), ("244", "dr"), ("334", "dr+"), ("338", "dr+")),
        note="V.04",
    ),
    _l(
        "137",
        "7. Dự phòng phải thu ngắn hạn khó đòi (*)",
        "7. Allowance for short-term doubtful debts (*)",
        2,
        (("2293", "-cr"),),
    ),
    _l("139", "8. Tài sản thiếu chờ xử lý", "8. Shortages of assets pending resolution", 2, _dr("1381"), note="V.05"),
    _l("140", "IV. Hàng tồn kho", "IV. Inventories", 1, f="141+149", note="V.07"),
    _l("141", "1. Hàng tồn kho", "1. Inventories", 2, _INVENTORY),
    _l(
        "149",
        "2. Dự phòng giảm giá hàng tồn kho (*)",
        "2. Allowance for inventory write-down (*)",
        2,
        (("2294", "-cr"),),
    ),
    _l("150", "V. Tài sản ngắn hạn khác", "V. Other current assets", 1, f="151+152+153+154+155"),
    _l("151", "1. Chi phí trả trước ngắn hạn", "1. Short-term prepaid expenses", 2, _dr("242"), note="V.13"),
    _l("152", "2. Thuế GTGT được khấu trừ", "2. Deductible input VAT", 2, _dr("133")),
    _l(
        "153",
        "3. Thuế và các khoản khác phải thu Nhà nước",
        "3. Taxes and other receivables from the State",
        2,
        (("333", "dr+"),),
        note="V.17",
    ),
    _l(
        "154",
        "4. Giao dịch mua bán lại trái phiếu Chính phủ",
        "4. Government bond repurchase transactions",
        2,
        _dr("171"),
    ),
    _l("155", "5. Tài sản ngắn hạn khác", "5. Other current assets", 2, note="V.14"),
    _l("200", "B - TÀI SẢN DÀI HẠN", "B - NON-CURRENT ASSETS", 0, f="210+220+230+240+250+260"),
    _l("210", "I. Các khoản phải thu dài hạn", "I. Long-term receivables", 1, f="211+212+213+214+215+216+219"),
    _l("211", "1. Phải thu dài hạn của khách hàng", "1. Long-term trade receivables", 2),
    _l("212", "2. Trả trước cho người bán dài hạn", "2. Long-term prepayments to suppliers", 2),
    _l("213", "3. Vốn kinh doanh ở đơn vị trực thuộc", "3. Capital in dependent units", 2, _dr("1361")),
    _l("214", "4. Phải thu nội bộ dài hạn", "4. Long-term intra-company receivables", 2),
    _l("215", "5. Phải thu về cho vay dài hạn", "5. Long-term loans receivable", 2),
    _l("216", "6. Phải thu dài hạn khác", "6. Other long-term receivables", 2),
    _l("219", "7. Dự phòng phải thu dài hạn khó đòi (*)", "7. Allowance for long-term doubtful debts (*)", 2),
    _l("220", "II. Tài sản cố định", "II. Fixed assets", 1, f="221+224+227"),
    _l("221", "1. Tài sản cố định hữu hình", "1. Tangible fixed assets", 1, f="222+223", note="V.09"),
    _l("222", "- Nguyên giá", "- Cost", 2, _dr("211")),
    _l("223", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", 2, (("214", "-cr"), ("2141", "-cr"))),
    _l("224", "2. Tài sản cố định thuê tài chính", "2. Finance-leased fixed assets", 1, f="225+226", note="V.11"),
    _l("225", "- Nguyên giá", "- Cost", 2, _dr("212")),
    _l("226", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", 2, (("2142", "-cr"),)),
    _l("227", "3. Tài sản cố định vô hình", "3. Intangible fixed assets", 1, f="228+229", note="V.10"),
    _l("228", "- Nguyên giá", "- Cost", 2, _dr("213")),
    _l("229", "- Giá trị hao mòn lũy kế (*)", "- Accumulated amortisation (*)", 2, (("2143", "-cr"),)),
    _l("230", "III. Bất động sản đầu tư", "III. Investment property", 1, f="231+232", note="V.12"),
    _l("231", "- Nguyên giá", "- Cost", 2, _dr("217")),
    _l("232", "- Giá trị hao mòn lũy kế (*)", "- Accumulated depreciation (*)", 2, (("2147", "-cr"),)),
    _l("240", "IV. Tài sản dở dang dài hạn", "IV. Long-term assets in progress", 1, f="241+242", note="V.08"),
    _l(
        "241",
        "1. Chi phí sản xuất, kinh doanh dở dang dài hạn",
        "1. Long-term work in progress",
        2,
    ),
    _l("242", "2. Chi phí xây dựng cơ bản dở dang", "2. Construction in progress", 2, _dr("241")),
    _l(
        "250",
        "V. Đầu tư tài chính dài hạn",
        "V. Long-term financial investments",
        1,
        f="251+252+253+254+255",
        note="V.02",
    ),
    _l("251", "1. Đầu tư vào công ty con", "1. Investments in subsidiaries", 2, _dr("221")),
    _l(
        "252",
        "2. Đầu tư vào công ty liên doanh, liên kết",
        "2. Investments in joint ventures and associates",
        2,
        _dr("222"),
    ),
    _l("253", "3. Đầu tư góp vốn vào đơn vị khác", "3. Equity investments in other entities", 2, _dr("228")),
    _l(
        "254",
        "4. Dự phòng đầu tư tài chính dài hạn (*)",
        "4. Allowance for long-term investments (*)",
        2,
        (("229", "-cr"), ("2292", "-cr")),
    ),
    _l("255", "5. Đầu tư nắm giữ đến ngày đáo hạn", "5. Long-term held-to-maturity investments", 2),
    _l("260", "VI. Tài sản dài hạn khác", "VI. Other non-current assets", 1, f="261+262+263+268"),
    _l("261", "1. Chi phí trả trước dài hạn", "1. Long-term prepaid expenses", 2, note="V.13"),
    _l("262", "2. Tài sản thuế thu nhập hoãn lại", "2. Deferred tax assets", 2, _dr("243"), note="V.24"),
    _l(
        "263",
        "3. Thiết bị, vật tư, phụ tùng thay thế dài hạn",
        "3. Long-term equipment, supplies and spare parts",
        2,
    ),
    _l("268", "4. Tài sản dài hạn khác", "4. Other non-current assets", 2, _dr("215"), note="V.14"),
    _l("270", "TỔNG CỘNG TÀI SẢN", "TOTAL ASSETS", 0, f="100+200"),
    _l("300", "C - NỢ PHẢI TRẢ", "C - LIABILITIES", 0, f="310+330"),
    _l(
        "310",
        "I. Nợ ngắn hạn",
        "I. Current liabilities",
        1,
        f="311+312+313+314+315+316+317+318+319+320+321+322+323",
    ),
    _l("311", "1. Phải trả người bán ngắn hạn", "1. Short-term trade payables", 2, (("331", "cr+"),), note="V.16"),
    _l("312", "2. Người mua trả tiền trước ngắn hạn", "2. Short-term advances from customers", 2, (("131", "cr+"),)),
    _l(
        "313",
        "3. Thuế và các khoản phải nộp Nhà nước",
        "3. Taxes and amounts payable to the State",
        2,
        (("333", "cr+"),),
        note="V.17",
    ),
    _l("314", "4. Phải trả người lao động", "4. Payables to employees", 2, (("334", "cr+"),)),
    _l("315", "5. Chi phí phải trả ngắn hạn", "5. Short-term accrued expenses", 2, (("335", "cr"),), note="V.18"),
    _l("316", "6. Phải trả nội bộ ngắn hạn", "6. Short-term intra-company payables", 2, (("336", "cr"),)),
    _l(
        "317",
        "7. Phải trả theo tiến độ kế hoạch hợp đồng xây dựng",
        "7. Payables from construction contract progress",
        2,
        (("337", "cr+"),),
    ),
    _l(
        "318",
        "8. Doanh thu chưa thực hiện ngắn hạn",
        "8. Short-term unearned revenue",
        2,
        (("3387", "cr"),),
        note="V.20",
    ),
    _l(
        "319",
        "9. Phải trả ngắn hạn khác",
        "9. Other short-term payables",
        2,
        (("338", "cr+"), ("138", "cr+"), ("344", "cr"), ("332", "cr")),
        note="V.19",
    ),
    _l(
        "320",
        "10. Vay và nợ thuê tài chính ngắn hạn",
        "10. Short-term borrowings and finance lease liabilities",
        2,
        (("341", "cr"),),
        note="V.15",
    ),
    _l("321", "11. Dự phòng phải trả ngắn hạn", "11. Short-term provisions", 2, (("352", "cr"),), note="V.23"),
    _l("322", "12. Quỹ khen thưởng, phúc lợi", "12. Bonus and welfare fund", 2, (("353", "cr"),)),
    _l("323", "13. Quỹ bình ổn giá", "13. Price stabilisation fund", 2, (("357", "cr"),)),
    _l(
        "330",
        "II. Nợ dài hạn",
        "II. Non-current liabilities",
        1,
        f="331+332+333+334+335+336+337+338+339+340+341+342+343",
    ),
    _l("331", "1. Phải trả người bán dài hạn", "1. Long-term trade payables", 2),
    _l("332", "2. Người mua trả tiền trước dài hạn", "2. Long-term advances from customers", 2),
    _l("333", "3. Chi phí phải trả dài hạn", "3. Long-term accrued expenses", 2),
    _l("334", "4. Phải trả nội bộ về vốn kinh doanh", "4. Intra-company capital payables", 2, (("3361", "cr"),)),
    _l("335", "5. Phải trả nội bộ dài hạn", "5. Long-term intra-company payables", 2),
    _l("336", "6. Doanh thu chưa thực hiện dài hạn", "6. Long-term unearned revenue", 2),
    _l("337", "7. Phải trả dài hạn khác", "7. Other long-term payables", 2),
    _l(
        "338",
        "8. Vay và nợ thuê tài chính dài hạn",
        "8. Long-term borrowings and finance lease liabilities",
        2,
        (("343", "cr"),),
        note="V.15",
    ),
    _l("339", "9. Trái phiếu chuyển đổi", "9. Convertible bonds", 2, note="V.21"),
    _l("340", "10. Cổ phiếu ưu đãi", "10. Preference shares", 2, note="V.22"),
    _l("341", "11. Thuế thu nhập hoãn lại phải trả", "11. Deferred tax liabilities", 2, (("347", "cr"),), note="V.24"),
    _l("342", "12. Dự phòng phải trả dài hạn", "12. Long-term provisions", 2, note="V.23"),
    _l("343", "13. Quỹ phát triển khoa học và công nghệ", "13. Science and technology fund", 2, (("356", "cr"),)),
    _l("400", "D - VỐN CHỦ SỞ HỮU", "D - OWNER'S EQUITY", 0, f="410"),
    _l(
        "410",
        "I. Vốn chủ sở hữu",
        "I. Owner's equity",
        1,
        f="411+412+413+414+415+416+417+418+419+420+421",
        note="V.25",
    ),
    _l("411", "1. Vốn góp của chủ sở hữu", "1. Owner's contributed capital", 2, (("411", "cr"),)),
    _l("412", "2. Thặng dư vốn cổ phần", "2. Share premium", 2, (("4112", "cr"),)),
    _l("413", "3. Quyền chọn chuyển đổi trái phiếu", "3. Bond conversion options", 2, (("4113", "cr"),)),
    _l("414", "4. Vốn khác của chủ sở hữu", "4. Other owner's capital", 2, (("4118", "cr"),)),
    _l("415", "5. Cổ phiếu quỹ (*)", "5. Treasury shares (*)", 2, (("419", "-dr"),)),
    _l("416", "6. Chênh lệch đánh giá lại tài sản", "6. Asset revaluation differences", 2, (("412", "cr"),)),
    _l("417", "7. Chênh lệch tỷ giá hối đoái", "7. Foreign exchange differences", 2, (("413", "cr"),)),
    _l("418", "8. Quỹ đầu tư phát triển", "8. Development investment fund", 2, (("414", "cr"),)),
    _l("419", "9. Quỹ hỗ trợ sắp xếp doanh nghiệp", "9. Enterprise reorganisation support fund", 2, (("417", "cr"),)),
    _l("420", "10. Quỹ khác thuộc vốn chủ sở hữu", "10. Other equity funds", 2, (("418", "cr"),)),
    _l(
        "421",
        "11. Lợi nhuận sau thuế chưa phân phối",
        "11. Undistributed profit after tax",
        2,
        (("421", "cr"), *_RESULT),
    ),
    _l("440", "TỔNG CỘNG NGUỒN VỐN", "TOTAL LIABILITIES AND EQUITY", 0, f="300+400"),
]

# --- income statements ------------------------------------------------------------------------------------

# Circular 133 has no 521: revenue deductions (trade discounts, price reductions, returns) are debits of
# 511; a reversal is not a deduction (``reports._net_reversals``). Interest expense (line 23) is what is
# posted on sub-account 6351 "Chi phí lãi vay".
B02_TT133: list[FormLine] = [
    _l(
        "01",
        "1. Doanh thu bán hàng và cung cấp dịch vụ",
        "1. Revenue from sales and services",
        2,
        (("511", "credit"),),
        note="VI.1",
    ),
    _l(
        "02",
        "2. Các khoản giảm trừ doanh thu",
        "2. Revenue deductions",
        2,
        (("511", "debit"), ("521", "dr")),
        note="VI.2",
    ),
    _l(
        "10",
        "3. Doanh thu thuần về bán hàng và cung cấp dịch vụ",
        "3. Net revenue from sales and services",
        1,
        f="01-02",
    ),
    _l("11", "4. Giá vốn hàng bán", "4. Cost of goods sold", 2, _dr("632"), note="VI.3"),
    _l("20", "5. Lợi nhuận gộp về bán hàng và cung cấp dịch vụ", "5. Gross profit", 1, f="10-11"),
    _l("21", "6. Doanh thu hoạt động tài chính", "6. Financial income", 2, (("515", "cr"),), note="VI.4"),
    _l("22", "7. Chi phí tài chính", "7. Financial expenses", 2, _dr("635", "6351"), note="VI.5"),
    _l("23", "- Trong đó: Chi phí lãi vay", "- of which: interest expense", 2, _dr("6351")),
    _l("24", "8. Chi phí quản lý kinh doanh", "8. Business management expenses", 2, _dr("641", "642"), note="VI.8"),
    _l("30", "9. Lợi nhuận thuần từ hoạt động kinh doanh", "9. Operating profit", 1, f="20+21-22-24"),
    _l("31", "10. Thu nhập khác", "10. Other income", 2, (("711", "cr"),), note="VI.6"),
    _l("32", "11. Chi phí khác", "11. Other expenses", 2, _dr("811"), note="VI.7"),
    _l("40", "12. Lợi nhuận khác", "12. Other profit", 1, f="31-32"),
    _l("50", "13. Tổng lợi nhuận kế toán trước thuế", "13. Accounting profit before tax", 1, f="30+40"),
    _l("51", "14. Chi phí thuế thu nhập doanh nghiệp", "14. Corporate income tax expense", 2, _dr("821"), note="VI.10"),
    _l("60", "15. Lợi nhuận sau thuế thu nhập doanh nghiệp", "15. Profit after tax", 1, f="50-51"),
]

B02_TT99: list[FormLine] = [
    _l(
        "01",
        "1. Doanh thu bán hàng và cung cấp dịch vụ",
        "1. Revenue from sales and services",
        2,
        (("511", "credit"),),
        note="VI.1",
    ),
    _l(
        "02",
        "2. Các khoản giảm trừ doanh thu",
        "2. Revenue deductions",
        2,
        (("511", "debit"), ("521", "dr")),
        note="VI.2",
    ),
    _l(
        "10",
        "3. Doanh thu thuần về bán hàng và cung cấp dịch vụ",
        "3. Net revenue from sales and services",
        1,
        f="01-02",
    ),
    _l("11", "4. Giá vốn hàng bán", "4. Cost of goods sold", 2, _dr("632"), note="VI.3"),
    _l("20", "5. Lợi nhuận gộp về bán hàng và cung cấp dịch vụ", "5. Gross profit", 1, f="10-11"),
    _l("21", "6. Doanh thu hoạt động tài chính", "6. Financial income", 2, (("515", "cr"),), note="VI.4"),
    _l("22", "7. Chi phí tài chính", "7. Financial expenses", 2, _dr("635", "6351"), note="VI.5"),
    _l("23", "- Trong đó: Chi phí lãi vay", "- of which: interest expense", 2, _dr("6351")),
    _l("25", "8. Chi phí bán hàng", "8. Selling expenses", 2, _dr("641"), note="VI.8"),
    _l("26", "9. Chi phí quản lý doanh nghiệp", "9. General and administrative expenses", 2, _dr("642"), note="VI.8"),
    _l("30", "10. Lợi nhuận thuần từ hoạt động kinh doanh", "10. Operating profit", 1, f="20+21-22-25-26"),
    _l("31", "11. Thu nhập khác", "11. Other income", 2, (("711", "cr"),), note="VI.6"),
    _l("32", "12. Chi phí khác", "12. Other expenses", 2, _dr("811"), note="VI.7"),
    _l("40", "13. Lợi nhuận khác", "13. Other profit", 1, f="31-32"),
    _l("50", "14. Tổng lợi nhuận kế toán trước thuế", "14. Accounting profit before tax", 1, f="30+40"),
    _l(
        "51",
        "15. Chi phí thuế TNDN hiện hành",
        "15. Current corporate income tax expense",
        2,
        _dr("821", "8211"),
        note="VI.10",
    ),
    _l(
        "52",
        "16. Chi phí thuế TNDN hoãn lại",
        "16. Deferred corporate income tax expense",
        2,
        _dr("8212"),
        note="VI.11",
    ),
    _l("60", "17. Lợi nhuận sau thuế thu nhập doanh nghiệp", "17. Profit after tax", 1, f="50-51-52"),
]

# --- cash flow (indirect method): the same line codes in both circulars ---------------------------------

# Every non-cash account's movement, with the sign of its effect on cash (credit − debit), goes to the
# line of its longest listed prefix; what is left unlisted lands in line 17 ("other"), so the sections
# always add up exactly to the change in cash (111, 112, 113) — nothing is silently dropped.
B03_MAP: list[tuple[str, list[str]]] = [
    ("01", ["5", "6", "7", "8", "911"]),  # profit before tax (821 moved to 15 below)
    ("02", ["214"]),
    ("03", ["229", "352"]),
    ("09", ["131", "133", "136", "138", "141", "244"]),
    ("10", ["151", "152", "153", "154", "155", "156", "157", "158"]),
    ("11", ["331", "332", "333", "334", "335", "336", "337", "338", "344", "347", "353", "356", "357", "3387"]),
    ("12", ["242", "243"]),
    ("13", ["121"]),
    ("15", ["821", "3334"]),
    ("21", ["211", "212", "213", "215", "217", "241"]),
    ("23", ["128", "171"]),
    ("25", ["221", "222", "228"]),
    ("31", ["411", "412", "414", "418", "419", "413"]),
    ("33", ["341", "343"]),
    ("36", ["421"]),
]
B03: list[FormLine] = [
    _l("01", "1. Lợi nhuận trước thuế", "1. Profit before tax"),
    _l("02", "- Khấu hao TSCĐ", "- Depreciation of fixed assets"),
    _l("03", "- Các khoản dự phòng", "- Provisions"),
    _l(
        "08",
        "2. Lợi nhuận từ hoạt động kinh doanh trước thay đổi vốn lưu động",
        "2. Operating profit before changes in working capital",
        1,
        f="01+02+03",
    ),
    _l("09", "- Tăng, giảm các khoản phải thu", "- Change in receivables"),
    _l("10", "- Tăng, giảm hàng tồn kho", "- Change in inventories"),
    _l(
        "11",
        "- Tăng, giảm các khoản phải trả (không kể lãi vay, thuế TNDN)",
        "- Change in payables (excluding interest and corporate income tax)",
    ),
    _l("12", "- Tăng, giảm chi phí trả trước", "- Change in prepaid expenses"),
    _l("13", "- Tăng, giảm chứng khoán kinh doanh", "- Change in trading securities"),
    _l("15", "- Thuế thu nhập doanh nghiệp", "- Corporate income tax"),
    _l("17", "- Tiền chi khác cho hoạt động kinh doanh", "- Other operating payments"),
    _l(
        "20",
        "Lưu chuyển tiền thuần từ hoạt động kinh doanh",
        "Net cash from operating activities",
        1,
        f="08+09+10+11+12+13+15+17",
    ),
    _l(
        "21",
        "1. Tiền chi mua sắm, xây dựng TSCĐ, BĐSĐT và tài sản dài hạn khác",
        "1. Purchase and construction of fixed assets and other long-term assets",
    ),
    _l(
        "23",
        "2. Tiền cho vay, đầu tư nắm giữ đến ngày đáo hạn (thuần)",
        "2. Loans and held-to-maturity investments (net)",
    ),
    _l("25", "3. Tiền đầu tư góp vốn vào đơn vị khác (thuần)", "3. Equity investments in other entities (net)"),
    _l("30", "Lưu chuyển tiền thuần từ hoạt động đầu tư", "Net cash from investing activities", 1, f="21+23+25"),
    _l(
        "31",
        "1. Tiền thu từ phát hành cổ phiếu, nhận vốn góp của chủ sở hữu (thuần)",
        "1. Capital contributed by owners (net)",
    ),
    _l("33", "2. Tiền vay nhận được, trả nợ gốc vay (thuần)", "2. Borrowings received and repaid (net)"),
    _l("36", "3. Cổ tức, lợi nhuận đã trả cho chủ sở hữu", "3. Dividends and profits paid to owners"),
    _l("40", "Lưu chuyển tiền thuần từ hoạt động tài chính", "Net cash from financing activities", 1, f="31+33+36"),
    _l("50", "Lưu chuyển tiền thuần trong kỳ", "Net cash flow for the period", 0, f="20+30+40"),
    _l("60", "Tiền và tương đương tiền đầu kỳ", "Cash and cash equivalents at the beginning of the period", 0),
    _l("70", "Tiền và tương đương tiền cuối kỳ", "Cash and cash equivalents at the end of the period", 0, f="60+50"),
]


class Regime(NamedTuple):
    b01: list[FormLine]
    b02: list[FormLine]
    b03: list[FormLine]
    total_assets: str  # B01 codes whose equality is checked
    total_sources: str


REGIMES: dict[str, Regime] = {
    "tt133": Regime(B01_TT133, B02_TT133, B03, "200", "500"),
    "tt99": Regime(B01_TT99, B02_TT99, B03, "270", "440"),
}
DEFAULT_REGIME = "tt133"


def regime_of(tenant: Tenant) -> str:
    """The tenant's regime: its chart template (``tt133`` when it has no chart yet)."""
    from novasaas.accounting.models import ChartOfAccount
    from novasaas.accounting.scope import in_tenant

    with in_tenant(tenant):
        template = ChartOfAccount.objects.filter(tenant=tenant).values_list("template", flat=True).first()
    return template if template in REGIMES else DEFAULT_REGIME


def evaluate(lines: list[FormLine], sourced: dict[str, Decimal]) -> dict[str, Decimal]:
    """Fill the formula lines from ``sourced`` (code → amount), in dependency order (a total may come
    before the lines it adds up)."""
    values = dict(sourced)
    formulas = {line.code: line.formula for line in lines if line.formula}

    def value(code: str, seen: frozenset[str] = frozenset()) -> Decimal:
        if code in values:
            return values[code]
        if code in seen or code not in formulas:
            raise KeyError(f"statement formula refers to {code}")
        total = Decimal(0)
        sign = 1
        for token in formulas[code].replace("-", " - ").replace("+", " + ").split():
            if token in "+-":
                sign = 1 if token == "+" else -1
                continue
            total += sign * value(token, seen | {code})
        values[code] = total
        return total

    for code in formulas:
        value(code)
    return values
