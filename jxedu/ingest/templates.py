"""Blank Excel templates and the data-format README, generated from :mod:`jxedu.core.schema`.

``python -m jxedu.ingest.templates`` rewrites

* ``data/templates/教育数据模板.xlsx`` — one sheet per table (sheet name = Chinese table name),
  bold frozen header row, column widths, a comment on every header (type, unit, required, allowed
  values) and drop-down lists (data validation) for categorical and 是/否 columns, plus a
  ``填表说明`` sheet that the loader ignores; the 说明 sheet lists the county's items (县名,
  行政区划代码, 教育行政部门) to fill in. ``--county 某某县`` writes ``某某县教育数据模板.xlsx`` with
  the name filled in;
* ``data/templates/分表/<表名>.xlsx`` — the same, one workbook per table (for a folder data set);
* the generated part of ``data/README.md`` (between the ``BEGIN GENERATED`` / ``END GENERATED``
  markers): one table per input table with its columns, types, units and allowed values.

The files are committed; ``tests/test_templates.py`` regenerates them into a temporary folder and
checks the headers against the schema, and checks that the README section is up to date.
"""

from __future__ import annotations

import datetime as _dt
import sys
from pathlib import Path

from jxedu.core import schema
from jxedu.core.config import ROOT, TEMPLATES_DIR
from jxedu.core.schema import Column, Table
from jxedu.core.xlsx import set_cell

#: File name of the all-tables workbook (:func:`workbook_name` prefixes a county's name).
WORKBOOK_NAME = "教育数据模板.xlsx"
#: Sub-folder of one workbook per table.
PER_TABLE_DIR = "分表"
#: Rows that carry the drop-down lists (data validation).
VALIDATION_ROWS = 5000
#: The data-format README and its generated section markers.
README_PATH = ROOT / "data" / "README.md"
BEGIN_MARK = "<!-- BEGIN GENERATED: python -m jxedu.ingest.templates -->"
END_MARK = "<!-- END GENERATED -->"
#: Fixed document timestamp, so regenerated files differ only where the schema changed.
_FIXED_TIME = _dt.datetime(2024, 9, 1)

KIND_ZH = {
    "str": "文字",
    "int": "整数",
    "float": "数值",
    "year": "学年",
    "bool": "是/否",
    "cat": "选项",
    "date": "日期",
}

#: Which analyses each table makes possible (shown in the README and the 填表说明 sheet).
UNLOCKS: dict[str, str] = {
    "schools": "一切分析的基础：学校名单、办学类型、位置（地图、服务半径）",
    "stage_stats": "资源配置 7 项指标（教师部分）、差异系数、校额（大校额）、持证与培训比例",
    "facilities": "资源配置 7 项指标（校舍、场馆、仪器设备、多媒体教室）、差异系数",
    "special_rooms": "政府保障第 3 项：音乐、美术专用教室的间数与面积",
    "classes": "班额分析（大班额、超大班额）、分年级学生数与学位预测",
    "teachers": "教师结构（学历、骨干、年龄）、交流轮岗资格名单、最美教师",
    "rotations": "交流轮岗比例（≥10%）与骨干教师占比（≥20%）、年度 400 人目标",
    "villages": "学龄人口预测、就近入学与服务半径、步行/公交可达性",
    "meta": "县名、行政区划代码、教育行政部门（所有标题、页眉和台账用它们；不填县名时写“本县”）；数据说明；"
            "“合成数据 = 是”时所有报告标注为合成数据",
    "plan_targets": "本县实施方案的县级目标（交流轮岗人数、最美教师、体育艺术教师配备、智慧校园、控辍保学、集团化覆盖率、通过督导评估年份），"
                    "每个目标一行并注明文号；没有此表时只按国家标准评估",
    "survey": "社会认可度（≥85%）：按调查对象（学生、家长、教师、校长、人大代表和政协委员、社会人士）、学校或镇街的问卷与走访满意度",
    "special_groups": "残疾儿童少年入学率（≥95%）、随迁子女在公办学校和政府购买学位就读比例（≥85%）、留守儿童关爱（按镇街）",
    "dropouts": "控辍保学：辍学学生工作台账的逐月新增与复学、各镇街未销号人数（学生只用化名编号，不含姓名、身份证号）",
    "after_school": "“双减”：课后服务开展与参与率、作业公示、各年级书面作业时长（一二年级不布置，三至六年级≤60分钟，初中≤90分钟）",
    "alliances": "集团化办学与城乡学校共同体：农村中小学覆盖率（县实施方案的覆盖率目标）",
    "rural_projects": "强镇筑基试点镇与百强乡镇中学、小学的创建状态",
}


def column_note(col: Column) -> str:
    """Chinese note for a header comment: type, unit, required, allowed values."""
    parts = [f"类型：{KIND_ZH.get(col.kind, col.kind)}"]
    if col.note:
        parts.append(col.note)
    if col.unit:
        parts.append(f"单位：{col.unit}")
    if col.kind == "year":
        parts.append("填学年的起始年份，如 2024（表示 2024—2025 学年）；也可写 2024-2025")
    if col.min is not None or col.max is not None:
        lo = "" if col.min is None else f"{col.min:g}"
        hi = "" if col.max is None else f"{col.max:g}"
        parts.append(f"范围：{lo}–{hi}")
    if col.kind == "cat":
        parts.append("可选值：" + "、".join(col.vocab or {}))
    if col.kind == "bool":
        parts.append("可选值：是、否")
    if col.kind == "date":
        parts.append("格式：2024-09-01")
    parts.append("必填列" if col.required else "可选列（可整列省略）")
    if col.required and col.nullable:
        parts.append("可留空")
    parts.append(f"英文名：{col.key}")
    return "\n".join(parts)


def _choices(col: Column) -> list[str] | None:
    if col.kind == "cat":
        return list(col.vocab or {})
    if col.kind == "bool":
        return list(schema.YES_NO)
    return None


def _col_letter(i: int) -> str:
    from openpyxl.utils import get_column_letter

    return get_column_letter(i)


def _fill_sheet(ws, table: Table) -> None:
    from openpyxl.comments import Comment
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.worksheet.datavalidation import DataValidation

    bold = Font(bold=True)
    fill = PatternFill("solid", fgColor="DDEBF7")
    for i, col in enumerate(table.columns, start=1):
        cell = ws.cell(row=1, column=i)
        set_cell(cell, col.zh)
        cell.font = bold
        cell.fill = fill
        cell.alignment = Alignment(horizontal="center", vertical="center")
        note = column_note(col)
        comment = Comment(note, "jxedu")
        comment.width = 260
        lines = note.count("\n") + 2
        if col.note:  # a long explanation wraps: about 18 characters a line at this width
            lines += -(-len(col.note) // 18) - 1
        comment.height = 24 * lines
        cell.comment = comment
        width = max(10.0, 2.2 * len(col.zh) + 2)
        ws.column_dimensions[_col_letter(i)].width = width
        choices = _choices(col)
        if choices:
            letter = _col_letter(i)
            dv = DataValidation(type="list", formula1='"' + ",".join(choices) + '"', allow_blank=True,
                                showErrorMessage=True, errorTitle="取值不在列表中",
                                error="请从下拉列表中选择：" + "、".join(choices))
            dv.add(f"{letter}2:{letter}{VALIDATION_ROWS}")
            ws.add_data_validation(dv)
    ws.freeze_panes = "A2"


def workbook_name(county: str | None = None) -> str:
    """``教育数据模板.xlsx``, or ``某某县教育数据模板.xlsx`` for a county."""
    return f"{county.strip()}{WORKBOOK_NAME}" if county and county.strip() else WORKBOOK_NAME


def _meta_rows(ws, county: str | None) -> None:
    """The 说明 sheet below its header: the county's items, 县名 filled in when known."""
    from jxedu.core.county import META_BUREAU, META_CODE, META_NAME

    for item, value in ((META_NAME, county), (META_CODE, None), (META_BUREAU, None)):
        ws.append([item, value.strip() if value else None])


def _instructions(ws, tables: tuple[Table, ...], county: str | None = None) -> None:
    from openpyxl.styles import Alignment, Font

    lines = [
        (f"{(county or '').strip()}教育数据模板 — 填表说明", True),
        ("先在“说明”工作表中填写县名、行政区划代码和教育行政部门：所有报告、地图和台账的标题都用它们（不填县名时写“本县”）。",
         False),
        ("每个工作表是一张表，工作表名就是表名，请勿改名；第一行是表头，请勿改动。鼠标移到表头上可看到说明（类型、单位、可选值）。", False),
        ("学年一律填起始年份：2024 表示 2024—2025 学年（也可写 2024-2025、2024学年）。", False),
        ("数量填非负整数；面积单位为平方米（㎡）；教学仪器设备值单位为万元。", False),
        ("可以在表头上方加一行标题，表格下方的“合计”行会被自动跳过。", False),
        ("请勿填写教师、学生的姓名、身份证号、电话等个人信息：教师只用“教师编号”、控辍保学台账中的学生只用化名的“学生编号”"
         "标识（即使填写，载入时也会被删除）。", False),
        ("必需的表：学校、学段统计、办学条件；其余为可选表，没有可整张删除。", False),
        ("本县实施方案有县级目标的（年均交流轮岗人数、最美教师、体育艺术教师配备、智慧校园覆盖率、通过督导评估年份），"
         "填在“规划目标”工作表中，每个目标一行并注明文号；没有的不填，报告只按国家标准评估。", False),
        ("镇街边界、县界、道路（geojson/gpkg）和公交线路（GTFS：公交.zip）放在与各表同一文件夹中，详见 data/README.md；"
         "没有县界和镇街边界时不检查坐标是否在县域内。", False),
        ("检查数据：jxedu validate <工作簿或文件夹>", False),
        ("", False),
        ("表名", True),
    ]
    texts = [(text, is_bold) for text, is_bold in lines]
    for t in tables:
        req = "必需" if t.required else "可选"
        texts.append((f"{t.zh}（{t.key}，{req}）：{UNLOCKS.get(t.key, '')}", False))
    for i, (text, is_bold) in enumerate(texts, start=1):
        cell = ws.cell(row=i, column=1)
        set_cell(cell, text)
        if is_bold:
            cell.font = Font(bold=True)
    ws.column_dimensions["A"].width = 120
    for row in ws.iter_rows():
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")


def _new_workbook():
    import openpyxl

    wb = openpyxl.Workbook()
    wb.remove(wb.active)
    wb.properties.creator = "jxedu"
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    return wb


def write_templates(out_dir: str | Path = TEMPLATES_DIR, *, per_table: bool = True,
                    county: str | None = None) -> list[Path]:
    """Write the blank Excel templates.

    Parameters
    ----------
    out_dir
        Target folder (default ``data/templates``).
    per_table
        Also write one workbook per table into ``<out_dir>/分表/``.
    county
        The county's name: in the file name (``某某县教育数据模板.xlsx``), the instructions' title and
        the 说明 sheet's 县名 (default: none, a template for any county).

    Returns
    -------
    list of Path
        The files written.
    """
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    wb = _new_workbook()
    _instructions(wb.create_sheet("填表说明"), schema.TABLES, county)
    for t in schema.TABLES:
        _fill_sheet(wb.create_sheet(t.zh), t)
    _meta_rows(wb[schema.META.zh], county)
    path = out_dir / workbook_name(county)
    wb.save(path)
    written.append(path)
    if per_table:
        sub = out_dir / PER_TABLE_DIR
        sub.mkdir(exist_ok=True)
        for t in schema.TABLES:
            wb = _new_workbook()
            _fill_sheet(wb.create_sheet(t.zh), t)
            if t is schema.META:
                _meta_rows(wb[t.zh], county)
            p = sub / f"{t.zh}.xlsx"
            wb.save(p)
            written.append(p)
    return written


# ---------------------------------------------------------------------------------------------
# README (generated part)
# ---------------------------------------------------------------------------------------------


def _md_escape(s: str) -> str:
    return s.replace("|", "\\|").replace("\n", " ")


def schema_markdown() -> str:
    """Markdown describing every table and column of :mod:`jxedu.core.schema` (the README's generated part)."""
    out = []
    for t in schema.TABLES:
        req = "必需" if t.required else "可选"
        out.append(f"### {t.zh}（`{t.key}`，{req}）")
        out.append("")
        if t.key in UNLOCKS:
            out.append(f"用途：{UNLOCKS[t.key]}。")
            out.append("")
        notes = []
        if t.primary_key:
            notes.append("唯一键：" + " + ".join(t.column(k).zh for k in t.primary_key))
        for col, (pt, pc) in t.references.items():
            ptab = schema.TABLES_BY_KEY[pt]
            notes.append(f"“{t.column(col).zh}”必须在“{ptab.zh}”表的“{ptab.column(pc).zh}”中")
        for part, whole in t.parts:
            notes.append(f"“{t.column(part).zh}”不大于“{t.column(whole).zh}”")
        if notes:
            out.extend(f"- {n}" for n in notes)
            out.append("")
        out.append("| 列名 | 英文名 | 类型 | 单位 | 必填 | 取值 / 范围 |")
        out.append("|---|---|---|---|---|---|")
        for c in t.columns:
            if c.kind == "cat":
                allowed = "、".join(c.vocab or {})
            elif c.kind == "bool":
                allowed = "是、否"
            elif c.kind == "year":
                allowed = f"起始年份 {c.min:g}–{c.max:g}"
            elif c.min is not None or c.max is not None:
                allowed = f"{'' if c.min is None else f'{c.min:g}'}–{'' if c.max is None else f'{c.max:g}'}"
            else:
                allowed = ""
            if not c.required:
                need = "可选列"
            elif c.nullable:
                need = "列必需，可留空"
            else:
                need = "是"
            out.append("| " + " | ".join(_md_escape(x) for x in (
                c.zh, f"`{c.key}`", KIND_ZH.get(c.kind, c.kind), c.unit, need, allowed)) + " |")
        out.append("")
        notes_by_text: dict[str, list[str]] = {}
        for c in t.columns:
            if c.note:
                notes_by_text.setdefault(c.note, []).append(c.zh)
        if notes_by_text:  # columns sharing one note (一年级…九年级) are named together
            out.extend(f"- **{names[0] if len(names) == 1 else names[0] + '…' + names[-1]}**：{_md_escape(note)}。"
                       for note, names in notes_by_text.items())
            out.append("")
    aliases = "；".join(f"{a} → {b}" for a, b in schema.ALIASES.items() if a != b)
    out.append(f"**可接受的别名**（自动换成标准写法）：{aliases}。")
    out.append("")
    out.append("**个人信息列**（载入时立即删除，不保存、不显示）：" + "、".join(schema.PERSONAL_COLUMNS) + "。")
    return "\n".join(out)


def update_readme(path: str | Path = README_PATH) -> bool:
    """Replace the generated section of the data README; return whether it changed."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    start, end = text.index(BEGIN_MARK) + len(BEGIN_MARK), text.index(END_MARK)
    new = text[:start] + "\n\n" + schema_markdown() + "\n\n" + text[end:]
    if new != text:
        path.write_text(new, encoding="utf-8")
        return True
    return False


def main(argv: list[str] | None = None) -> int:
    """``python -m jxedu.ingest.templates [OUT_DIR] [--county 某某县]``: write the templates and refresh
    data/README.md."""
    argv = list(sys.argv[1:] if argv is None else argv)
    county = None
    if "--county" in argv:
        i = argv.index("--county")
        county = argv[i + 1] if i + 1 < len(argv) else None
        del argv[i:i + 2]
    out = Path(argv[0]) if argv else TEMPLATES_DIR
    for p in write_templates(out, county=county):
        print(f"已写出模板 (template written): {p}")
    if README_PATH.exists() and BEGIN_MARK in README_PATH.read_text(encoding="utf-8"):
        changed = update_readme()
        print(f"data/README.md {'已更新 (updated)' if changed else '无变化 (unchanged)'}")
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
