//! Chinese business words in a company name written in Han characters, put in English
//! before the name is romanized: "培浩电子科技有限公司" is listed as "Peihao Electronic
//! Technology Co., Ltd.", and letter by letter the pinyin "dian zi ke ji" is nothing like
//! "electronic technology". Its English then goes the way of any company's words (legal
//! forms dropped, descriptors optional), its place goes as listings spell it, and only
//! the distinctive part stays in pinyin, as one word ("Songtao", not "Song Tao", which
//! would also meet "Tao Song").

/// Terms in simplified and traditional characters, with the English that listings use.
/// Longer terms come first where one contains another, as matching takes the first.
const TERMS: &[(&str, &str)] = &[
    ("股份有限公司", " limited "),
    ("有限责任公司", " limited "),
    ("有限責任公司", " limited "),
    ("有限公司", " limited "),
    ("集成电路", " integrated circuit "),
    ("供应链管理", " supply chain management "),
    ("供应链", " supply chain "),
    ("有色金属", " nonferrous metals "),
    ("进出口", " import export "),
    ("進出口", " import export "),
    ("新材料", " new material "),
    ("微电子", " microelectronics "),
    ("自动化", " automation "),
    ("自動化", " automation "),
    ("半导体", " semiconductor "),
    ("半導體", " semiconductor "),
    ("研究所", " research institute "),
    ("研究院", " research institute "),
    ("天然气", " natural gas "),
    ("公司", " company "),
    ("集团", " group "),
    ("集團", " group "),
    ("控股", " holding "),
    ("科技", " technology "),
    ("技术", " technology "),
    ("技術", " technology "),
    ("电子", " electronic "),
    ("電子", " electronic "),
    ("光电", " optoelectronic "),
    ("光電", " optoelectronic "),
    ("光学", " optical "),
    ("光學", " optical "),
    ("精密", " precision "),
    ("机械", " machinery "),
    ("機械", " machinery "),
    ("机电", " electromechanical "),
    ("機電", " electromechanical "),
    ("设备", " equipment "),
    ("設備", " equipment "),
    ("装备", " equipment "),
    ("裝備", " equipment "),
    ("器材", " equipment "),
    ("仪器", " instrument "),
    ("儀器", " instrument "),
    ("仪表", " instrument "),
    ("儀表", " instrument "),
    ("物流", " logistics "),
    ("国际", " international "),
    ("國際", " international "),
    ("贸易", " trading "),
    ("貿易", " trading "),
    ("商贸", " trading "),
    ("商貿", " trading "),
    ("航空", " aviation "),
    ("航天", " aerospace "),
    ("材料", " material "),
    ("通信", " communication "),
    ("通讯", " communication "),
    ("通訊", " communication "),
    ("智能", " intelligent "),
    ("实业", " industrial "),
    ("實業", " industrial "),
    ("工业", " industrial "),
    ("工業", " industrial "),
    ("制造", " manufacturing "),
    ("製造", " manufacturing "),
    ("化工", " chemical "),
    ("能源", " energy "),
    ("船舶", " ship "),
    ("船务", " shipping "),
    ("船務", " shipping "),
    ("海运", " shipping "),
    ("海運", " shipping "),
    ("航运", " shipping "),
    ("航運", " shipping "),
    ("工程", " engineering "),
    ("投资", " investment "),
    ("投資", " investment "),
    ("发展", " development "),
    ("發展", " development "),
    ("电气", " electric "),
    ("電氣", " electric "),
    ("软件", " software "),
    ("軟件", " software "),
    ("网络", " network "),
    ("網絡", " network "),
    ("信息", " information "),
    ("资讯", " information "),
    ("資訊", " information "),
    ("系统", " system "),
    ("系統", " system "),
    ("管理", " management "),
    ("服务", " services "),
    ("服務", " services "),
    ("激光", " laser "),
    ("雷达", " radar "),
    ("雷達", " radar "),
    ("机床", " machine tool "),
    ("機床", " machine tool "),
    ("重工", " heavy industry "),
    ("钢铁", " steel "),
    ("鋼鐵", " steel "),
    ("金属", " metal "),
    ("金屬", " metal "),
    ("石油", " petroleum "),
    ("香港", " hong kong "),
];

/// Provinces and the cities company names most often start with, as listings spell them
/// ("Harbin", not the pinyin "Ha'erbin").
const PLACES: &[(&str, &str)] = &[
    ("北京", " beijing "),
    ("上海", " shanghai "),
    ("天津", " tianjin "),
    ("重庆", " chongqing "),
    ("重慶", " chongqing "),
    ("广州", " guangzhou "),
    ("廣州", " guangzhou "),
    ("深圳", " shenzhen "),
    ("南京", " nanjing "),
    ("武汉", " wuhan "),
    ("武漢", " wuhan "),
    ("杭州", " hangzhou "),
    ("苏州", " suzhou "),
    ("蘇州", " suzhou "),
    ("青岛", " qingdao "),
    ("青島", " qingdao "),
    ("大连", " dalian "),
    ("大連", " dalian "),
    ("沈阳", " shenyang "),
    ("瀋陽", " shenyang "),
    ("西安", " xian "),
    ("厦门", " xiamen "),
    ("廈門", " xiamen "),
    ("宁波", " ningbo "),
    ("寧波", " ningbo "),
    ("长沙", " changsha "),
    ("長沙", " changsha "),
    ("郑州", " zhengzhou "),
    ("鄭州", " zhengzhou "),
    ("济南", " jinan "),
    ("濟南", " jinan "),
    ("合肥", " hefei "),
    ("福州", " fuzhou "),
    ("昆明", " kunming "),
    ("无锡", " wuxi "),
    ("無錫", " wuxi "),
    ("东莞", " dongguan "),
    ("東莞", " dongguan "),
    ("佛山", " foshan "),
    ("珠海", " zhuhai "),
    ("中山", " zhongshan "),
    ("常州", " changzhou "),
    ("南通", " nantong "),
    ("烟台", " yantai "),
    ("煙台", " yantai "),
    ("长春", " changchun "),
    ("長春", " changchun "),
    ("石家庄", " shijiazhuang "),
    ("太原", " taiyuan "),
    ("南昌", " nanchang "),
    ("南宁", " nanning "),
    ("南寧", " nanning "),
    ("贵阳", " guiyang "),
    ("兰州", " lanzhou "),
    ("蘭州", " lanzhou "),
    ("乌鲁木齐", " urumqi "),
    ("呼和浩特", " hohhot "),
    ("海口", " haikou "),
    ("温州", " wenzhou "),
    ("溫州", " wenzhou "),
    ("绍兴", " shaoxing "),
    ("嘉兴", " jiaxing "),
    ("泉州", " quanzhou "),
    ("台州", " taizhou "),
    ("金华", " jinhua "),
    ("潍坊", " weifang "),
    ("淄博", " zibo "),
    ("洛阳", " luoyang "),
    ("唐山", " tangshan "),
    ("徐州", " xuzhou "),
    ("扬州", " yangzhou "),
    ("江门", " jiangmen "),
    ("惠州", " huizhou "),
    ("汕头", " shantou "),
    ("哈尔滨", " harbin "),
    ("哈爾濱", " harbin "),
    ("成都", " chengdu "),
    ("澳门", " macau "),
    ("澳門", " macau "),
    ("台北", " taipei "),
    ("臺北", " taipei "),
    ("高雄", " kaohsiung "),
    ("台中", " taichung "),
    ("广东", " guangdong "),
    ("廣東", " guangdong "),
    ("江苏", " jiangsu "),
    ("江蘇", " jiangsu "),
    ("浙江", " zhejiang "),
    ("山东", " shandong "),
    ("山東", " shandong "),
    ("河南", " henan "),
    ("河北", " hebei "),
    ("湖北", " hubei "),
    ("湖南", " hunan "),
    ("四川", " sichuan "),
    ("福建", " fujian "),
    ("安徽", " anhui "),
    ("辽宁", " liaoning "),
    ("遼寧", " liaoning "),
    ("吉林", " jilin "),
    ("黑龙江", " heilongjiang "),
    ("黑龍江", " heilongjiang "),
    ("陕西", " shaanxi "),
    ("山西", " shanxi "),
    ("江西", " jiangxi "),
    ("云南", " yunnan "),
    ("雲南", " yunnan "),
    ("贵州", " guizhou "),
    ("甘肃", " gansu "),
    ("海南", " hainan "),
    ("广西", " guangxi "),
    ("內蒙古", " inner mongolia "),
    ("内蒙古", " inner mongolia "),
    ("新疆", " xinjiang "),
    ("宁夏", " ningxia "),
    ("青海", " qinghai "),
];

/// `raw` with the business terms and places of its Han text in English, and whether it
/// had any (a company's name, then).
pub(crate) fn in_english(raw: &str) -> (String, bool) {
    let mut found = false;
    let mut out = String::with_capacity(raw.len() + 16);
    let mut rest = raw;
    while let Some(c) = rest.chars().next() {
        match TERMS.iter().chain(PLACES).find(|(term, _)| rest.starts_with(term)) {
            Some((term, english)) => {
                found = true;
                out.push_str(english);
                rest = &rest[term.len()..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    (out, found)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn business_terms_go_to_english_and_names_stay() {
        assert_eq!(
            in_english("培浩电子科技有限公司")
                .0
                .split_whitespace()
                .collect::<Vec<_>>(),
            ["培浩", "electronic", "technology", "limited"]
        );
        assert_eq!(in_english("王伟"), ("王伟".to_string(), false));
        assert_eq!(in_english("Alpha 贸易"), ("Alpha  trading ".to_string(), true));
        let (harbin, _) = in_english("哈尔滨华龙科技");
        assert_eq!(
            harbin.split_whitespace().collect::<Vec<_>>(),
            ["harbin", "华龙", "technology"]
        );
    }
}
