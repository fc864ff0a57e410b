"""Guards that keep the labels honest: syllable/stem segmentation, edit distance, near brands."""

from functools import lru_cache

import tables_orgs as TO
import tables_people as TP
import translit
from names import fold

PINYIN = set("""a ai an ang ao ba bai ban bang bao bei ben beng bi bian biao bie bin bing bo bu
ca cai can cang cao ce cen ceng cha chai chan chang chao che chen cheng chi chong chou chu chua
chuai chuan chuang chui chun chuo ci cong cou cu cuan cui cun cuo da dai dan dang dao de dei den
deng di dia dian diao die ding diu dong dou du duan dui dun duo e ei en eng er fa fan fang fei fen
feng fo fou fu ga gai gan gang gao ge gei gen geng gong gou gu gua guai guan guang gui gun guo ha
hai han hang hao he hei hen heng hong hou hu hua huai huan huang hui hun huo ji jia jian jiang jiao
jie jin jing jiong jiu ju juan jue jun ka kai kan kang kao ke kei ken keng kong kou ku kua kuai
kuan kuang kui kun kuo la lai lan lang lao le lei leng li lia lian liang liao lie lin ling liu lo
long lou lu luan lun luo lv lve lyu ma mai man mang mao me mei men meng mi mian miao mie min ming
miu mo mou mu na nai nan nang nao ne nei nen neng ni nian niang niao nie nin ning niu nong nou nu
nuan nuo nv nve o ou pa pai pan pang pao pei pen peng pi pian piao pie pin ping po pou pu qi qia
qian qiang qiao qie qin qing qiong qiu qu quan que qun ran rang rao re ren reng ri rong rou ru rua
ruan rui run ruo sa sai san sang sao se sen seng sha shai shan shang shao she shei shen sheng shi
shou shu shua shuai shuan shuang shui shun shuo si song sou su suan sui sun suo ta tai tan tang tao
te teng ti tian tiao tie ting tong tou tu tuan tui tun tuo wa wai wan wang wei wen weng wo wu xi
xia xian xiang xiao xie xin xing xiong xiu xu xuan xue xun ya yan yang yao ye yi yin ying yo yong
you yu yuan yue yun za zai zan zang zao ze zei zen zeng zha zhai zhan zhang zhao zhe zhei zhen
zheng zhi zhong zhou zhu zhua zhuai zhuan zhuang zhui zhun zhuo zi zong zou zu zuan zui zun
zuo""".split())
PINYIN |= {fold(s[2]) for s in TP.ZH_GIVEN + TP.ZH_SURNAMES}
KOREAN = {fold(x) for s in TP.KO_GIVEN + TP.KO_SURNAMES for x in s[1:]}
STEMS = {fold(translit.romanise(s, "ru", sys))
         for s in TO.STEM_HEADS + TO.STEM_MIDS + TO.STEM_TAILS for sys in translit.systems("ru")}


def segmentable(token, inventory):
    """True if token splits into syllables/stems of the inventory (so it reads as a name)."""
    token = fold(token)
    n = len(token)
    ok = [True] + [False] * n
    for i in range(1, n + 1):
        for j in range(max(0, i - 12), i):
            if ok[j] and token[j:i] in inventory:
                ok[i] = True
                break
    return n > 0 and ok[n]


@lru_cache(maxsize=None)
def levenshtein(a, b):
    prev = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        cur = [i]
        for j, cb in enumerate(b, 1):
            cur.append(min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (ca != cb)))
        prev = cur
    return prev[-1]


def deletions(s):
    return {s} | {s[:i] + s[i + 1:] for i in range(len(s))}


class NearBrands:
    """Brands within about two edits of a listed brand (symmetric single deletions)."""

    def __init__(self, listing):
        self.index = set()
        for key in listing.brand_folds:
            if " " not in key:  # fold keys only; token keys contain spaces
                self.index.update(deletions(key))

    def near(self, brand_fold):
        return any(d in self.index for d in deletions(brand_fold))
