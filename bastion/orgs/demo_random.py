"""Random but reproducible demo details: names, ID numbers, phone numbers, dates, spreads.

Split from ``orgs.demo_data`` so that the company plan reads on its own.
"""

from __future__ import annotations

import datetime as dt
import random

from bastion.core.idcard import check_code

# Surnames repeated by rough frequency, so 王李张刘陈 come up more often than 龚 or 尤.
SURNAMES = (
    "王王王王李李李李张张张张刘刘刘陈陈陈杨杨黄黄赵赵吴吴周周徐孙马朱胡郭何高林林罗郑梁梁"
    "谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏"
    "韦付方白邹孟熊秦邱江尹薛段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔汤尤"
)
GIVEN_MALE = (
    "伟强磊军洋勇杰涛明超刚平辉鹏飞俊峰宇浩然轩博文凯瑞松林斌"
    "龙成立亮健彬东晨阳海波华建国志新兵锋毅诚嘉永昊"
)
GIVEN_FEMALE = "芳娜秀英敏静丽艳娟霞兰玉梅红燕雪琳婷怡欣雨佳琪晓丹萍慧颖倩洁莉璐月彤蕾薇"

# Names never generated: the seeds' own people and national leaders, so that no demo record
# reads like a real person's.
AVOID_NAMES = {
    "陈振波",
    "廖朝波",
    "周纯",
    "郭良松",
    "梁树红",
    "赵一芳",
    "姜敏",
    "黄满超",
    "李强",
    "王毅",
    "李鹏",
    "王震",
    "陈云",
    "朱德",
    "李希",
    "蔡奇",
    "韩正",
    "汪洋",
    "王刚",
    "张军",
    "李斌",
    "刘军",
    "王勇",
    "李明",
    "王伟",
}

PHONE_PREFIXES = [
    "135",
    "136",
    "137",
    "138",
    "139",
    "150",
    "151",
    "152",
    "158",
    "159",
    "182",
    "187",
    "188",
    "130",
    "131",
    "155",
    "156",
    "186",
    "133",
    "153",
    "180",
    "189",
    "177",
    "199",
]


class Names:
    """Distinct realistic names: a surname and one or two given-name characters by gender."""

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set(AVOID_NAMES)

    def make(self, male: bool) -> str:
        chars = GIVEN_MALE if male else GIVEN_FEMALE
        while True:
            given = "".join(self.rng.choice(chars) for _ in range(self.rng.choice((1, 2, 2, 2))))
            name = self.rng.choice(SURNAMES) + given
            if name not in self.used:
                self.used.add(name)
                return name


class IdNumbers:
    """Valid, unique 18-digit resident ID numbers: region, birth date, sequence, check digit.

    The three-digit sequence is drawn at random; its last digit is odd for men and even for
    women, as on a real card.
    """

    def __init__(self, rng: random.Random):
        self.rng = rng
        self.used: set[str] = set()

    def make(self, region: str, birth: dt.date, male: bool) -> str:
        while True:
            first17 = f"{region}{birth:%Y%m%d}{2 * self.rng.randrange(1, 500) + int(male):03d}"
            if first17 not in self.used:
                self.used.add(first17)
                return first17 + check_code(first17)


def phone(rng: random.Random) -> str:
    return rng.choice(PHONE_PREFIXES) + f"{rng.randrange(10**8):08d}"


def day_between(rng: random.Random, start: dt.date, end: dt.date) -> dt.date:
    return start + dt.timedelta(days=rng.randrange((end - start).days + 1))


def add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def spread(rng: random.Random, total: int, count: int, low: int, high: int) -> list[int]:
    """``count`` integers in [low, high] that sum to exactly ``total``, drawn at random."""
    if not low * count <= total <= high * count:
        raise ValueError(f"cannot spread {total} over {count} in [{low}, {high}]")
    values = [low] * count
    for _ in range(total - low * count):
        values[rng.choice([i for i, v in enumerate(values) if v < high])] += 1
    return values
