//! Places that company names begin with ("Qingdao Xingshan Instrument", "Samara
//! Uralenergomash", "Rotterdam Hawk Unity Group"): a listing or a query often leaves the
//! place out (`optional_parts`). Single words only, as a name's first word is compared;
//! cities that are also common given names ("Sofia", "Milan", "Florence") are left out, as
//! a person's name may begin with one.

use std::collections::HashSet;
use std::sync::LazyLock;

/// Chinese provinces and the cities company names most often start with.
const CHINESE: &str = "anhui beijing changchun changsha changzhou chengdu chongqing dalian dongguan \
    foshan fujian fuzhou gansu guangdong guangxi guangzhou guiyang guizhou haikou hainan hangzhou harbin hebei \
    hefei heilongjiang henan hohhot hubei huizhou hunan jiangmen jiangsu jiangxi jiaxing jilin jinan jinhua \
    kunming lanzhou liaoning luoyang nanchang nanjing nanning nantong ningbo ningxia qingdao qinghai shaanxi \
    shandong shanghai shantou shanxi shaoxing shenyang shenzhen shijiazhuang sichuan suzhou taiyuan taizhou \
    tangshan tianjin urumqi weifang wenzhou wuhan wuxi xiamen xian xining yantai yinchuan yunnan zhejiang \
    zhengzhou zhongshan zhuhai zibo";

/// Other cities and free zones where companies of export-control interest are often
/// registered: Russia, Ukraine, Belarus, the Caucasus and Central Asia, the Gulf, Turkey
/// and Iran, European ports and capitals, Asian trading hubs.
const WORLD: &str = "moscow moskva samara kazan novosibirsk yekaterinburg ekaterinburg omsk tomsk perm ufa \
    chelyabinsk rostov volgograd voronezh krasnoyarsk irkutsk khabarovsk vladivostok murmansk arkhangelsk \
    kaliningrad tula tver yaroslavl izhevsk orenburg saratov penza ryazan bryansk kursk belgorod smolensk kaluga \
    ivanovo krasnodar sochi novorossiysk astrakhan makhachkala tolyatti togliatti cheboksary ulyanovsk kemerovo \
    novokuznetsk barnaul surgut tyumen minsk gomel grodno vitebsk mogilev kyiv kiev kharkiv kharkov odesa odessa \
    dnipro dnepropetrovsk lviv zaporizhzhia zaporozhye mykolaiv nikolaev kherson donetsk luhansk mariupol \
    sevastopol simferopol chisinau tbilisi yerevan baku almaty astana tashkent bishkek dushanbe ashgabat tallinn \
    riga vilnius kaunas klaipeda helsinki warsaw krakow gdansk prague budapest bratislava vienna bucharest \
    belgrade zagreb athens piraeus istanbul ankara izmir mersin tehran isfahan mashhad tabriz shiraz dubai \
    sharjah ajman fujairah doha muscat manama riyadh jeddah dammam beirut damascus aleppo baghdad basra amman \
    cairo karachi lahore islamabad mumbai delhi chennai kolkata dhaka colombo singapore macau taipei seoul busan \
    pyongyang tokyo osaka bangkok hanoi jakarta manila rotterdam amsterdam antwerp hamburg bremen frankfurt \
    munich berlin dusseldorf stuttgart london manchester liverpool marseille lyon genoa turin madrid barcelona \
    lisbon zurich geneva basel luxembourg brussels copenhagen stockholm oslo larnaca limassol nicosia valletta \
    panama caracas havana houston miami toronto vancouver montreal";

/// Whether `token` is a place that a company name may begin with (asked for every name
/// indexed, hence a set).
pub(crate) fn leading_place(token: &str) -> bool {
    static PLACES: LazyLock<HashSet<&'static str>> =
        LazyLock::new(|| CHINESE.split_whitespace().chain(WORLD.split_whitespace()).collect());
    PLACES.contains(token)
}
