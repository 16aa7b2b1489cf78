"""Unique company names for the sample customers, about 35 % Chinese (江苏恒达精密机械有限公司 style).

English names are ``<prefix> <core>[ (<city>)] <suffix>``; Chinese names are
place + two different trade-name characters + trade + legal form. Each name
is one index into the product of the word lists, drawn without replacement,
so names are unique without a retry loop.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from custlib.exceptions import ParamsError

_EN_PREFIX = (
    "Apex", "Summit", "Northgate", "Riverside", "Pioneer", "Harbor", "Evergreen", "Silverline", "Crestview", "Ironwood",
    "Bluewater", "Redstone", "Goldfield", "Westbrook", "Eastwood", "Lakeshore", "Highland", "Oakridge", "Granite", "Pacific",
    "Atlas", "Meridian", "Vanguard", "Sterling", "Keystone", "Liberty", "Horizon", "Frontier", "Cardinal", "Falcon",
    "Eagle", "Phoenix", "Titan", "Orion", "Polaris", "Zenith", "Beacon", "Anchor", "Bridgeport", "Clearwater",
    "Copperleaf", "Deerfield", "Elmwood", "Fairview", "Greenfield", "Hillcrest", "Kingsway", "Maplewood", "Northstar", "Parkside",
    "Rockford", "Seaview", "Stonebridge", "Sunrise", "Trident", "Unity", "Valley", "Windmill", "Ashford", "Bayside",
    "Blackrock", "Brightwater", "Cedar", "Coastal", "Cornerstone", "Crown", "Delta", "Diamond", "Dragon", "Eastern Star",
    "Emerald", "Forge", "Fortune", "Gateway", "Globe", "Golden Bridge", "Great Wall", "Heritage", "Imperial", "Jade",
    "Lotus", "Mercury", "Milestone", "Monarch", "Mountain", "Nova", "Oriental", "Pearl River", "Pinnacle", "Premier",
    "Prime", "Red Lantern", "Royal", "Sapphire", "Silk Road", "Skyline", "Southern Cross", "Star", "Union", "Yangtze",
    "Allied", "Centurion", "Continental", "Everest", "Majestic", "Metro", "National", "Paragon", "Quantum", "Regal",
    "Sentinel", "Trinity", "Victory", "Wellington", "Westfield", "Aurora", "Bedrock", "Compass", "Endeavour", "Keyway",
)  # fmt: skip
_EN_CORE = (
    "Precision", "Industrial", "Engineering", "Technical", "Mechanical", "Hydraulic", "Fluid Power", "Automation", "Machine",
    "Metalworks", "Tooling", "Equipment", "Components", "Systems", "Manufacturing", "Fabrication", "Motion", "Power", "Drive",
    "Controls", "Machinery", "Parts", "Supply", "Instruments", "Electric", "Steel", "Castings", "Pumps", "Valves", "Bearing",
    "Fastener", "Transmission", "Robotics", "Materials", "Technologies", "Industrial Services", "Maintenance", "Plant",
    "Energy", "Marine", "Motors", "Process", "Heavy Industries", "Tools", "Automotive", "Logistics", "Trading", "Electronics",
    "Welding", "Mining Equipment",
)  # fmt: skip
_EN_CITY = (
    "", "Suzhou", "Wuxi", "Ningbo", "Shenzhen", "Tianjin", "Qingdao", "Dalian", "Chengdu", "Wuhan", "Xiamen", "Hangzhou",
    "Shanghai", "Guangzhou", "Dongguan", "Foshan", "Changzhou", "Nanjing", "Shenyang", "Chongqing", "Xi'an", "Kunshan",
    "Jiaxing", "Zhuhai", "Hefei", "Changsha", "Zhengzhou", "Jinan", "Yantai", "Harbin", "Fuzhou", "Nantong", "Taicang",
    "Changchun", "Nanchang", "Taiyuan", "Shijiazhuang", "Kunming", "Nanning", "Guiyang", "Lanzhou",
)  # fmt: skip
_EN_SUFFIX = (
    "Co., Ltd.", "Inc.", "Group", "Trading Co.", "LLC", "Corp.", "Holdings", "Supply Co.", "Partners", "Industries",
    "Ltd.", "& Sons", "GmbH", "Pte. Ltd.", "Co.",
)  # fmt: skip
_CN_PLACE = (
    "江苏", "浙江", "上海", "北京", "天津", "广东", "深圳", "广州", "东莞", "佛山", "苏州", "无锡", "常州", "宁波", "杭州",
    "温州", "青岛", "济南", "烟台", "沈阳", "大连", "长春", "哈尔滨", "成都", "重庆", "昆明", "贵阳", "武汉", "长沙", "郑州",
    "合肥", "南昌", "西安", "太原", "石家庄", "唐山", "厦门", "福州", "泉州", "南京", "徐州", "潍坊", "洛阳", "襄阳", "株洲",
    "柳州", "南宁", "兰州", "华东", "华南",
)  # fmt: skip
_CN_CHARS = "恒达宏远鑫源华瑞泰丰盛兴隆昌通明德信诚安永嘉康利旭辉海天金凯博正中宇新联合润东升"
_CN_TRADE = (
    "精密机械", "机械制造", "液压设备", "五金", "五金机电", "电气", "自动化设备", "重工", "机电设备", "工业设备", "轴承",
    "紧固件", "建材", "汽车配件", "动力科技", "传动设备", "工程机械", "模具", "阀门", "泵业", "化工设备", "环保设备",
    "农业机械", "船舶配件", "矿山机械", "电子科技", "物流设备", "安全设备", "工具", "贸易",
)  # fmt: skip
_CN_LEGAL = ("有限公司", "股份有限公司", "有限责任公司")
_CN_SHARE = 0.35


def _mixed_radix(idx, radices):
    out = []
    for r in reversed(radices):
        out.append(idx % r)
        idx = idx // r
    return out[::-1]


def company_names(n: int, rng) -> pa.Array:
    """Unique company names, about 35 % Chinese (华东精密机械有限公司 style), vectorised."""
    is_cn = rng.random(n) < _CN_SHARE
    n_cn = int(is_cn.sum())
    n_en = n - n_cn
    en_radix = (len(_EN_PREFIX), len(_EN_CORE), len(_EN_CITY), len(_EN_SUFFIX))
    cn_chars = list(_CN_CHARS)
    cn_radix = (len(_CN_PLACE), len(cn_chars), len(cn_chars) - 1, len(_CN_TRADE), len(_CN_LEGAL))
    en_space, cn_space = int(np.prod(en_radix)), int(np.prod(cn_radix))
    if n_en > en_space or n_cn > cn_space:  # pragma: no cover - guarded by MAX_CUSTOMERS
        raise ParamsError(f"customers: {n} is more than the name generator can make unique")
    en = _mixed_radix(rng.choice(en_space, size=n_en, replace=False), en_radix)
    cn = _mixed_radix(rng.choice(cn_space, size=n_cn, replace=False), cn_radix)

    def take(words, idx):
        return pa.array(list(words)).take(pa.array(idx))

    city = take([f" ({c})" if c else "" for c in _EN_CITY], en[2])
    en_names = pc.binary_join_element_wise(take(_EN_PREFIX, en[0]), " ", take(_EN_CORE, en[1]), city, " ", take(_EN_SUFFIX, en[3]), "")
    second = np.where(cn[2] >= cn[1], cn[2] + 1, cn[2])  # two different characters
    cn_names = pc.binary_join_element_wise(
        take(_CN_PLACE, cn[0]), take(cn_chars, cn[1]), take(cn_chars, second), take(_CN_TRADE, cn[3]), take(_CN_LEGAL, cn[4]), ""
    )
    pos = np.empty(n, dtype=np.int64)
    pos[~is_cn] = np.arange(n_en)
    pos[is_cn] = n_en + np.arange(n_cn)
    return pa.concat_arrays([en_names, cn_names]).take(pa.array(pos))
