"""The Chinese names editors write where a key or a keyword belongs, and the key each means.

The names are those of the disclosure catalogue's metadata (docs/content-format.md, the
record table's 中文 column) and their common variants.
"""

from __future__ import annotations

from types import MappingProxyType

RECORD_KEYS = MappingProxyType(
    {
        "名称": "title",
        "标题": "title",
        "索引号": "index_no",
        "文号": "doc_no",
        "发文字号": "doc_no",
        "发文文号": "doc_no",
        "发布机构": "agency",
        "发文机关": "agency",
        "发文单位": "agency",
        "文种": "genre",
        "成文日期": "written",
        "发布日期": "published",
        "公开日期": "published",
        "施行日期": "effective",
        "生效日期": "effective",
        "实施日期": "effective",
        "有效期至": "expires",
        "失效日期": "expires",
        "更新日期": "updated",
        "目录分类": "category",
        "分类": "category",
        "主题分类": "topics",
        "主题": "topics",
        "主题词": "keywords",
        "关键词": "keywords",
        "有效性": "validity",
        "效力": "validity",
        "替代文件": "superseded_by",
        "解读对象": "interprets",
        "附件": "attachments",
        "内容概述": "summary",
        "摘要": "summary",
        "效力说明": "validity_note",
        "导航顺序": "nav_order",
    }
)
"""Front-matter keys by their Chinese names."""

VALIDITY_WORDS = MappingProxyType(
    {
        "有效": "effective",
        "现行有效": "effective",
        "修订": "amended",
        "已修订": "amended",
        "修改": "amended",
        "已修改": "amended",
        "废止": "repealed",
        "已废止": "repealed",
        "失效": "expired",
        "已失效": "expired",
    }
)
"""`validity` words by their Chinese names."""
