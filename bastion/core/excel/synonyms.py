"""Header words branches use for a template's column, held as data.

Rosters kept by branches say 身份证号 or 公民身份号码 where a template says 身份证号码, 入党时间
where it says 入党日期. Each entry maps a template header to the other words accepted for it;
a column's own ``Column.aliases`` add to these. Keys and words are compared after
``header_key`` (full-width made ASCII, spaces and a trailing ``*`` dropped), so "身份证 号码" and
"身份证号码＊" need no entry.

An alias must never be another column's header in the same template: the test
``test_no_alias_is_another_columns_header`` holds every registered importer to that.
"""

from __future__ import annotations

ID_NUMBER = ("身份证号码", "身份证号", "公民身份号码", "公民身份证号码", "身份证", "身份证件号码")
EMPLOYEE_NO = ("工号", "员工编号", "员工号", "职工号", "职工编号", "人员编号")
MOBILE = ("手机号码", "手机号", "手机", "联系电话", "电话", "电话号码", "联系方式")


def _others(group: tuple, header: str) -> tuple:
    return tuple(word for word in group if word != header)


HEADER_SYNONYMS: dict[str, tuple[str, ...]] = {
    # people and the rows that point at them
    "姓名": ("名字", "党员姓名", "人员姓名"),
    "身份证号码": _others(ID_NUMBER, "身份证号码"),
    "身份证号": _others(ID_NUMBER, "身份证号"),
    "工号": _others(EMPLOYEE_NO, "工号"),
    "组织编码": ("党组织编码", "组织代码", "党组织代码"),
    "所在党组织": ("所在党支部", "所在支部", "党组织名称", "所在组织"),
    "党小组编码": ("党小组代码", "所在党小组编码"),
    "工作单位": ("单位", "所在单位", "单位名称"),
    "岗位": ("岗位类别", "岗位类型"),
    "政治面貌": ("面貌",),
    "申请入党日期": ("申请入党时间", "入党申请日期", "入党申请时间", "递交入党申请书日期"),
    "入党日期": ("入党时间", "加入党组织日期", "加入党组织时间"),
    "转正日期": ("转正时间", "转为正式党员日期", "转为正式党员时间"),
    "手机号码": _others(MOBILE, "手机号码"),
    "电子邮箱": ("邮箱", "电子邮件", "Email", "E-mail", "邮件地址"),
    # organizations
    "组织名称": ("党组织全称", "组织全称", "名称"),
    "简称": ("组织简称", "党组织简称"),
    "组织类型": ("党组织类型", "党组织类别"),
    "单位类别": ("单位类型",),
    "上级组织编码": ("上级党组织编码", "上级组织代码", "上级编码"),
    "成立日期": ("成立时间",),
    "本届班子任期开始": ("任期开始", "任期开始日期", "本届任期开始", "换届日期"),
    "本届班子任期届满": ("任期届满", "任期届满日期", "本届任期届满"),
    "联系电话": ("电话", "电话号码", "办公电话", "联系方式"),
    "地址": ("办公地址", "通讯地址", "联系地址"),
    # dues payments
    "所属月份": ("月份", "缴费月份", "党费月份", "所属期"),
    "金额": ("缴纳金额", "缴费金额", "党费金额", "实缴金额", "实缴党费"),
    "缴纳日期": ("缴费日期", "交纳日期", "缴纳时间", "缴费时间"),
    "收缴组织": ("收缴党支部", "收缴支部"),
    # benchmarks
    "供电所编码": ("供电所代码", "单位编码"),
    "供电所名称": ("供电所",),
    "月份": ("所属月份", "统计月份"),
    # problems
    "检查编号": ("检查记录编号",),
    "问题描述": ("存在问题", "问题内容", "问题表现"),
    "类别": ("问题类别", "问题类型"),
    "问题层次": ("层次", "问题等级"),
    "责任组织编码": ("责任单位编码", "整改责任组织编码"),
    "责任人工号": ("责任人员工编号", "责任人员工号", "责任人职工号"),
    "整改措施": ("整改举措",),
    "整改时限": ("整改期限", "完成时限", "整改完成时限"),
    "发现日期": ("发现时间",),
}


def names_of(column) -> tuple[str, ...]:
    """Every header word that means ``column``: its header, its own aliases, the table's."""
    return (column.header, *column.aliases, *HEADER_SYNONYMS.get(column.header, ()))
