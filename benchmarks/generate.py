"""A seeded generator of realistic synthetic govsite sites, and of the same records for Hugo.

`python3 benchmarks/generate.py --records 10000 --out /tmp/bench-10k` writes a complete,
valid site: govsite.yaml, a disclosure catalogue of 50 categories, 20 agencies, a topic
tree, and N records with Chinese text, headings, tables, lists, links to earlier
records, attachments, policy interpretations, repealed records with their replacements
and index numbers that follow the site's pattern. The same seed gives the same bytes.
"""

from __future__ import annotations

import argparse
import random
from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

FIRST_DAY = date(2015, 1, 1)
LAST_DAY = date(2026, 10, 31)
INTERPRETATION_SHARE = 0.08
REPEALED_SHARE = 0.05
ATTACHMENT_SHARE = 0.12
PAGE_SIZE = 20

CITY = "澄州市"
DEPARTMENTS = (
    "人民政府", "人民政府办公室", "发展和改革委员会", "教育局", "科学技术局", "工业和信息化局",
    "公安局", "民政局", "司法局", "财政局", "人力资源和社会保障局", "自然资源和规划局",
    "生态环境局", "住房和城乡建设局", "交通运输局", "水利局", "农业农村局", "商务局",
    "文化广电旅游局", "卫生健康委员会",
)  # fmt: skip
CATEGORY_TREE = (
    ("institution", "机构职能", ("functions", "leaders", "units", "contacts")),
    ("policies", "政策文件", ("regulations", "municipal", "office", "departments")),
    ("plans", "规划计划", ("development", "special", "annual", "regional")),
    ("finance", "财政信息", ("budgets", "final-accounts", "three-public", "debt")),
    ("personnel", "人事信息", ("appointments", "recruitment", "civil-servants", "awards")),
    ("procurement", "政府采购", ("notices", "results", "contracts", "intentions")),
    ("services", "公共服务", ("education", "health", "social-security", "housing")),
    ("statistics", "统计信息", ("monthly", "annual", "census", "bulletins")),
    ("supervision", "监督检查", ("inspections", "penalties", "audits", "complaints")),
    ("interpretations", "政策解读", ("texts", "graphics", "interviews", "qa")),
)
CHILD_TITLES = (
    "综合", "专项", "年度", "重点", "市级", "部门", "区县", "公告", "通报", "目录",
    "汇总", "动态", "报告", "名单", "清单", "指南",
)  # fmt: skip
TOPIC_TREE = (
    ("general", "综合政务", ("disclosure", "services", "emergency")),
    ("economy", "国民经济管理", ("business", "planning", "projects")),
    ("money", "财政金融", ("budget", "procurement", "funds")),
    ("labour", "劳动人事", ("employment", "wages", "training")),
    ("welfare", "社会保障", ("pension", "medical", "assistance")),
    ("city", "城乡建设", ("housing", "transport", "environment")),
    ("culture", "教科文卫", ("education", "health", "culture")),
    ("farming", "农业农村", ("grain", "villages", "water")),
)
GENRES = ("通知", "意见", "办法", "规定", "决定", "公告", "通报", "方案", "报告", "批复")
SUBJECTS = (
    "优化营商环境", "推进义务教育优质均衡发展", "加强城市更新", "促进就业创业", "深化医药卫生体制改革",
    "加快数字政府建设", "做好防汛抗旱", "推进乡村振兴", "加强生态环境保护", "规范行政执法",
    "完善养老服务体系", "提升政务服务效能", "加强安全生产", "促进民营经济发展", "推进老旧小区改造",
    "加强耕地保护", "推动制造业高质量发展", "做好困难群众救助", "加强食品安全监管", "推进公共文化服务",
)  # fmt: skip
CLAUSES = (
    "坚持以人民为中心的发展思想", "按照统筹兼顾、分类施策的原则", "各区县人民政府要切实履行属地责任",
    "市直各部门要加强协调配合", "建立健全长效工作机制", "强化督促检查和绩效评价",
    "依法依规做好信息公开工作", "充分听取企业和群众意见", "加大财政资金保障力度",
    "将有关工作纳入年度目标考核", "及时总结推广典型经验", "确保各项措施落地见效",
    "推动数据共享和业务协同", "严格落实安全生产责任", "持续优化办事流程",
    "对照任务清单逐项推进", "于每季度末报送工作进展", "加强宣传引导和政策解读",
)  # fmt: skip
LIST_ITEMS = (
    "企业开办全流程压缩至1个工作日", "政务服务事项实现“一网通办”", "新建改建公办幼儿园20所",
    "城镇新增就业4.5万人", "完成老旧小区改造120个", "PM2.5平均浓度控制在30微克/立方米以下",
    "基本养老保险参保率保持在95%以上", "粮食播种面积稳定在150万亩", "新建城市公园绿地15处",
    "12345热线诉求按时办结率达到98%", "农村生活污水治理率达到60%", "每千人口拥有执业医师3.5人",
)  # fmt: skip
TABLE_ROWS = ("产业发展", "基础设施", "社会民生", "生态环保", "城市更新", "科技创新")
SENTENCE_END = ("。", "；", "。")


@dataclass(frozen=True, slots=True)
class RecordPlan:
    number: int
    path: str
    """Relative to content/, e.g. `records/policies/2024/r-000123.md`."""
    index_no: str
    agency: int
    published: date


def agency_code(number: int) -> str:
    return f"{114400000 + number * 37:09d}"


def agencies_yaml() -> str:
    lines = ["# 发布机构（合成数据）"]
    for i, name in enumerate(DEPARTMENTS):
        lines += [f"- key: a{i:02d}", f"  title: {CITY}{name}", f'  code: "{agency_code(i)}"']
    return "\n".join(lines) + "\n"


def _tree_yaml(tree: tuple[tuple[str, str, tuple[str, ...]], ...], described: bool) -> str:
    lines = []
    for top, (key, title, children) in enumerate(tree):
        lines += [f"- key: {key}", f"  title: {title}"]
        if described:
            lines.append(f"  description: {CITY}{title}栏目，主动公开有关政府信息。")
        lines.append("  children:")
        for i, child in enumerate(children):
            lines += [f"    - key: {child}", f"      title: {CHILD_TITLES[(top + i) % 16]}{title}"]
    return "\n".join(lines) + "\n"


def category_paths() -> list[str]:
    """The 40 leaf categories (10 top-level ones make 50 in all); records go in leaves."""
    return [f"{key}/{child}" for key, _, children in CATEGORY_TREE for child in children]


def topic_paths() -> list[str]:
    return [f"{key}/{child}" for key, _, children in TOPIC_TREE for child in children]


CONFIG = f"""\
title: {CITY}人民政府信息公开（性能测试）
description: 合成的政府信息公开站点，用于测量 govsite 的构建速度。
language: zh-CN
base_url: https://www.example.gov.cn/
theme: default
page_size: {PAGE_SIZE}
latest_count: 10
index_no_pattern: "{{agency_code}}/{{year}}-{{serial:05d}}"
identity:
  site_id: "4401000001"
  host: {CITY}人民政府办公室
  contact:
    phone: 020-00000000
"""


def plan_records(rng: random.Random, count: int) -> list[RecordPlan]:
    """Dates, agencies, paths and index numbers, oldest first; serials count per agency and year."""
    span = (LAST_DAY - FIRST_DAY).days
    days = sorted(rng.randrange(span + 1) for _ in range(count))
    serials: dict[tuple[int, int], int] = defaultdict(int)
    plans = []
    leaves = category_paths()
    for number, day in enumerate(days):
        published = FIRST_DAY + timedelta(days=day)
        agency = rng.randrange(len(DEPARTMENTS))
        serials[agency, published.year] += 1
        serial = serials[agency, published.year]
        index_no = f"{agency_code(agency)}/{published.year}-{serial:05d}"
        top = rng.choice(leaves).split("/")[0]
        path = f"records/{top}/{published.year}/r-{number:06d}.md"
        plans.append(RecordPlan(number, path, index_no, agency, published))
    return plans


def _relative(from_path: str, to_path: str) -> str:
    """A relative link between two content paths (both `records/<top>/<year>/<file>`)."""
    return "../../" + "/".join(to_path.split("/")[1:])


def record_text(rng: random.Random, plans: list[RecordPlan], plan: RecordPlan) -> str:
    interprets = (
        plans[rng.randrange(plan.number)]
        if plan.number and rng.random() < INTERPRETATION_SHARE
        else None
    )
    later = plans[plan.number + 1 :]
    replaced_by = rng.choice(later[:50]) if later and rng.random() < REPEALED_SHARE else None
    subject = rng.choice(SUBJECTS)
    genre = "解读" if interprets else rng.choice(GENRES)
    title = (
        f"《{CITY}关于{subject}的{rng.choice(GENRES)}》解读"
        if interprets
        else f"{CITY}{DEPARTMENTS[plan.agency]}关于{subject}的{genre}"
    )
    category = "interpretations/texts" if interprets else _category(rng, plan)
    written = plan.published - timedelta(days=rng.randrange(1, 8))
    front = [
        "---",
        f"title: {title}",
        f"index_no: {plan.index_no}",
        f"doc_no: 澄{rng.choice('政府发改财教人')}发〔{plan.published.year}〕{plan.number % 300 + 1}号",
        f"agency: a{plan.agency:02d}",
        f"genre: {genre}",
        f"written: {written.isoformat()}",
        f"published: {plan.published.isoformat()}",
        f"category: {category}",
        f"topics: [{', '.join(sorted(set(rng.sample(topic_paths(), rng.randrange(1, 3)))))}]",
        f"keywords: [{subject}, {rng.choice(TABLE_ROWS)}]",
    ]
    if interprets:
        front.append(f'interprets: ["{interprets.index_no}"]')
    if replaced_by:
        front += ["validity: repealed", f'superseded_by: "{replaced_by.index_no}"']
    if rng.random() < ATTACHMENT_SHARE:
        front += [
            "attachments:",
            f"  - file: {attachment_path(plan)}",
            f"    title: 附件：{subject}任务分工表",
        ]
    front += [f"summary: 围绕{subject}提出{rng.randrange(5, 30)}条措施。", "---", ""]
    return "\n".join(front) + _body(rng, plans, plan, subject, interprets) + "\n"


def _category(rng: random.Random, plan: RecordPlan) -> str:
    top = plan.path.split("/")[1]
    children = next(c for key, _, c in CATEGORY_TREE if key == top)
    return f"{top}/{rng.choice(children)}"


def _body(
    rng: random.Random,
    plans: list[RecordPlan],
    plan: RecordPlan,
    subject: str,
    interprets: RecordPlan | None,
) -> str:
    parts = [_paragraph(rng, subject)]
    for number, heading in enumerate(("总体要求", "主要任务", "保障措施")[: rng.randrange(1, 4)]):
        parts.append(f"## {'一二三'[number]}、{heading}")
        parts.append(_paragraph(rng, subject))
        if number == 1:
            parts.append("\n".join(f"{i}. {rng.choice(LIST_ITEMS)}。" for i in range(1, 5)))
    if rng.random() < 0.4:
        parts.append(_table(rng))
    if plan.number:
        target = interprets or plans[rng.randrange(plan.number)]
        parts.append(f"相关文件见《[{subject}]({_relative(plan.path, target.path)})》。")
    return "\n\n".join(parts)


def _paragraph(rng: random.Random, subject: str) -> str:
    clauses = [rng.choice(CLAUSES) + rng.choice(SENTENCE_END) for _ in range(rng.randrange(3, 7))]
    return f"为{subject}，" + "".join(clauses)


def _table(rng: random.Random) -> str:
    rows = ["| 类别 | 项目数（个） | 投资（亿元） |", "| --- | ---: | ---: |"]
    rows += [
        f"| {name} | {rng.randrange(5, 90)} | {rng.randrange(10, 900)} |" for name in TABLE_ROWS
    ]
    return "\n".join(rows)


def attachment_path(plan: RecordPlan) -> str:
    return f"files/{plan.published.year}/r-{plan.number:06d}.csv"


def generate(out: Path, count: int, seed: int = 1) -> list[RecordPlan]:
    """Write a site of `count` records into `out` (which must not exist yet)."""
    rng = random.Random(seed)
    content = out / "content"
    (content / "catalogues").mkdir(parents=True)
    (out / "govsite.yaml").write_text(CONFIG, encoding="utf-8")
    (content / "catalogues" / "agencies.yaml").write_text(agencies_yaml(), encoding="utf-8")
    categories = _tree_yaml(CATEGORY_TREE, described=True)
    (content / "catalogues" / "categories.yaml").write_text(categories, encoding="utf-8")
    topics = _tree_yaml(TOPIC_TREE, described=False)
    (content / "catalogues" / "topics.yaml").write_text(topics, encoding="utf-8")
    (content / "pages").mkdir()
    (content / "pages" / "guide.md").write_text(
        "---\ntitle: 政府信息公开指南\nnav_order: 1\n---\n\n本指南说明主动公开和依申请公开的方式。\n",
        encoding="utf-8",
    )
    plans = plan_records(rng, count)
    for plan in plans:
        text = record_text(rng, plans, plan)
        _write(content / plan.path, text)
        if "attachments:" in text:
            _write(content / attachment_path(plan), "类别,项目数\n产业发展,12\n社会民生,8\n")
    return plans


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


HUGO_CONFIG = """\
baseURL = "https://www.example.gov.cn/"
languageCode = "zh-CN"
title = "Hugo baseline"
contentDir = "../site/content/records"
staticDir = "../site/content/files"
disableKinds = ["section", "taxonomy", "term", "rss", "sitemap", "robotstxt", "404"]
"""
HUGO_SINGLE = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ .Title }}</title></head><body><h1>{{ .Title }}</h1>
<p>{{ .Params.index_no }} · {{ .Params.agency }} · {{ .Params.category }}</p>
{{ .Content }}</body></html>
"""
HUGO_LIST = """<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">
<title>{{ .Site.Title }}</title></head><body><h1>{{ .Site.Title }}</h1><ol>
{{ range .Site.RegularPages }}<li><a href="{{ .RelPermalink }}">{{ .Title }}</a> {{ .Params.index_no }}</li>
{{ end }}</ol></body></html>
"""


def write_hugo_site(folder: Path) -> None:
    """A minimal Hugo site beside `site/` that reads the same record files: one page each and one list."""
    layouts = folder / "layouts"
    layouts.mkdir(parents=True, exist_ok=True)
    (folder / "hugo.toml").write_text(HUGO_CONFIG, encoding="utf-8")
    (layouts / "single.html").write_text(HUGO_SINGLE, encoding="utf-8")
    (layouts / "home.html").write_text(HUGO_LIST, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, required=True)
    parser.add_argument("--out", type=Path, required=True)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    generate(args.out / "site", args.records, args.seed)
    write_hugo_site(args.out / "hugo")
    print(
        f"Wrote {args.records} records to {args.out / 'site'} and a Hugo site to {args.out / 'hugo'}"
    )


if __name__ == "__main__":
    main()
