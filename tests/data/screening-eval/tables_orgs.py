"""Tables for organisations, vessels and aircraft: stems, descriptors, legal forms, cities."""

# Compound-stem company names (Russian, Ukrainian, Belarusian, Kazakh usage), in Cyrillic.
STEM_HEADS = ["Пром", "Спец", "Тех", "Энерго", "Электро", "Радио", "Авто", "Гидро", "Авиа",
              "Агро", "Нефте", "Газо", "Сиб", "Урал", "Волго", "Микро", "Техно", "Теле",
              "Термо", "Металло", "Стро", "Хим", "Транс", "Мос", "Лен", "Кам", "Дон", "Оптико",
              "Инж", "Навиго", "Морс", "Арм", "Бал", "Сев", "Юг", "Рос", "Кран", "Лазер",
              "Нано", "Вектор"]
STEM_MIDS = ["пром", "тех", "маш", "энерго", "хим", "строй", "снаб", "транс", "мет", "авто",
             "комп", "гео", "радио", "опт", "сиб", "электро"]
STEM_TAILS = ["снаб", "маш", "строй", "монтаж", "сервис", "комплект", "прибор", "торг",
              "инвест", "ресурс", "импекс", "пласт", "кабель", "деталь", "систем", "сталь",
              "хим", "лес", "транс", "пром", "связь", "авто", "тех", "проект", "контракт",
              "спектр", "сбыт", "логистик", "резерв", "экспорт", "альянс", "групп", "интех",
              "компонент", "электроника", "автоматика", "оборудование", "механика", "техника"]

# Russian-style qualifiers written before the brand: (Cyrillic, romanised, English).
RU_QUALIFIERS = [("НПП", "NPP", "Scientific Production Enterprise"),
                 ("НПО", "NPO", "Scientific Production Association"),
                 ("ТД", "TD", "Trading House"), ("НТЦ", "NTTs", "Scientific Technical Centre"),
                 ("СКБ", "SKB", "Special Design Bureau"), ("ПКФ", "PKF", "Production Commercial Firm")]

# Legal forms: id -> written forms (first = usual), where it stands, Cyrillic/hanzi if any.
LEGAL = {
    "ru_llc": (["OOO", "LLC", "Limited Liability Company",
                "Obshchestvo s Ogranichennoy Otvetstvennostyu", "O.O.O."], "ООО"),
    "ru_jsc": (["AO", "JSC", "Joint Stock Company", "Aktsionernoye Obshchestvo",
                "Joint-Stock Company"], "АО"),
    "ru_cjsc": (["ZAO", "CJSC", "Closed Joint Stock Company",
                 "Zakrytoye Aktsionernoye Obshchestvo"], "ЗАО"),
    "ru_ojsc": (["OAO", "OJSC", "Open Joint Stock Company",
                 "Otkrytoye Aktsionernoye Obshchestvo"], "ОАО"),
    "ru_pjsc": (["PAO", "PJSC", "Public Joint Stock Company",
                 "Publichnoye Aktsionernoye Obshchestvo"], "ПАО"),
    "uk_llc": (["TOV", "LLC", "Limited Liability Company",
                "Tovarystvo z Obmezhenoyu Vidpovidalnistyu"], "ТОВ"),
    "uk_prjsc": (["PrAT", "PrJSC", "Private Joint Stock Company"], "ПрАТ"),
    "be_llc": (["TAA", "OOO", "LLC", "Limited Liability Company"], "ТАА"),
    "be_ojsc": (["AAT", "OAO", "OJSC", "Open Joint Stock Company"], "ААТ"),
    "kz_llp": (["TOO", "LLP", "Limited Liability Partnership"], "ТОО"),
    "zh_coltd": (["Co., Ltd.", "Co. Ltd.", "Co Ltd", "Company Limited", "Co., Limited"], "有限公司"),
    "hk_ltd": (["Limited", "Ltd", "Ltd."], "有限公司"),
    "gmbh": (["GmbH", "G.m.b.H.", "Gesellschaft mit beschränkter Haftung"], None),
    "ag": (["AG", "Aktiengesellschaft"], None),
    "ltd": (["Ltd", "Ltd.", "Limited"], None),
    "inc": (["Inc.", "Inc", "Incorporated"], None),
    "corp": (["Corp.", "Corporation", "Corp"], None),
    "us_llc": (["LLC", "L.L.C.", "Limited Liability Company"], None),
    "sa": (["S.A.", "SA", "Sociedad Anonima"], None),
    "srl": (["SRL", "S.R.L.", "S.r.l."], None),
    "bv": (["B.V.", "BV"], None),
    "sarl": (["SARL", "S.A.R.L.", "S.a r.l."], None),
    "llp": (["LLP", "L.L.P.", "Limited Liability Partnership"], None),
    "pte": (["Pte Ltd", "Pte. Ltd.", "Private Limited", "Pte. Limited"], None),
    "sdn": (["Sdn Bhd", "Sdn. Bhd.", "Sendirian Berhad"], None),
    "fze": (["FZE", "F.Z.E.", "Free Zone Establishment"], None),
    "fzco": (["FZCO", "FZ CO", "F.Z.CO", "Free Zone Company"], None),
    "fzllc": (["FZ-LLC", "FZ LLC", "FZLLC", "F.Z.-L.L.C."], None),
    "dmcc": (["DMCC", "D.M.C.C."], None),
    "ae_llc": (["LLC", "L.L.C.", "Limited Liability Company"], None),
    "sia": (["SIA"], None),
    "uab": (["UAB"], None),
    "ou": (["OÜ", "OU", "Osaühing"], None),
    "as_ee": (["AS", "A/S", "Aktsiaselts"], None),
    "spzoo": (["Sp. z o.o.", "Sp. z o. o.", "Sp z oo", "Sp.z o.o.",
               "Spółka z ograniczoną odpowiedzialnością"], None),
    "tr_ltd": (["Ltd. Şti.", "Ltd. Sti.", "Ltd Şti", "Limited Şirketi"], None),
    "tr_as": (["A.Ş.", "A.S.", "AS", "Anonim Şirketi"], None),
    "ir_co": (["Co.", "Company", "Co"], None),
    "ir_pjs": (["PJS", "P.J.S.", "Private Joint Stock Company", "Sahami Khass"], None),
    "pk_pvt": (["(Pvt) Ltd", "Pvt Ltd", "Private Limited", "(Private) Limited", "Pvt. Ltd."], None),
}
# Forms written in front of the name by default; the rest follow it.
LEGAL_FRONT = {"OOO", "AO", "ZAO", "OAO", "PAO", "TOV", "PrAT", "TAA", "AAT", "TOO", "SIA",
               "UAB", "O.O.O."}
LEGAL_FULL_FRONT_CLASSES = {"ru_llc", "ru_jsc", "ru_cjsc", "ru_ojsc", "ru_pjsc", "uk_llc",
                            "uk_prjsc", "be_llc", "be_ojsc", "kz_llp"}

# Descriptors: id -> (English, [abbreviations], hanzi or None, Turkish or None).
DESCRIPTORS = {
    "electronic": ("Electronic", ["Elec", "Electr"], "电子", "Elektronik"),
    "electronics": ("Electronics", ["Elec", "Elecs"], "电子", "Elektronik"),
    "technology": ("Technology", ["Tech", "Techn"], "科技", "Teknoloji"),
    "technologies": ("Technologies", ["Tech", "Techs"], None, "Teknoloji"),
    "trading": ("Trading", ["Trdg", "Trad"], "贸易", "Ticaret"),
    "general_trading": ("General Trading", ["Gen Trdg", "Gen. Trading", "Genl Trdg"], None, None),
    "import_export": ("Import and Export", ["Imp & Exp", "Imp Exp", "Imp-Exp"], "进出口",
                      "İthalat İhracat"),
    "industrial": ("Industrial", ["Ind", "Indl"], "实业", "Sanayi"),
    "industries": ("Industries", ["Inds", "Ind"], None, "Sanayi"),
    "machinery": ("Machinery", ["Mach", "Machy"], "机械", "Makine"),
    "equipment": ("Equipment", ["Equip", "Eqpt"], "设备", "Ekipman"),
    "engineering": ("Engineering", ["Eng", "Engg"], "工程", "Mühendislik"),
    "logistics": ("Logistics", ["Log.", "Logist."], "物流", "Lojistik"),
    "international": ("International", ["Intl", "Int'l"], "国际", "Uluslararası"),
    "manufacturing": ("Manufacturing", ["Mfg", "Mfr"], "制造", "İmalat"),
    "intelligent": ("Intelligent", ["Intell", "Intelli"], "智能", None),
    "precision": ("Precision", ["Prec"], "精密", None),
    "semiconductor": ("Semiconductor", ["Semicon", "Semicond"], "半导体", None),
    "optoelectronic": ("Optoelectronic", ["Opto", "Optoelec"], "光电", None),
    "communication": ("Communication", ["Comm", "Commun"], "通信", "İletişim"),
    "aviation": ("Aviation", ["Avn", "Aviat"], "航空", "Havacılık"),
    "new_material": ("New Material", ["New Matl"], "新材料", None),
    "automation": ("Automation", ["Autom"], "自动化", "Otomasyon"),
    "instrument": ("Instrument", ["Instr", "Inst"], "仪器", None),
    "supply_chain": ("Supply Chain Management", ["Supply Chain Mgmt", "SCM"], "供应链管理", None),
    "group": ("Group", ["Grp"], "集团", "Grup"),
    "chemical": ("Chemical", ["Chem"], "化工", "Kimya"),
    "shipping": ("Shipping", ["Shpg", "Shipg"], "航运", "Denizcilik"),
    "energy": ("Energy", ["Enrg"], "能源", "Enerji"),
    "development": ("Development", ["Dev", "Devt"], "发展", None),
    "science_technology": ("Science and Technology", ["Sci & Tech", "Sci-Tech", "S&T"], "科学技术",
                           None),
    "services": ("Services", ["Svcs", "Servs"], None, "Hizmetleri"),
    "systems": ("Systems", ["Sys", "Syst"], None, "Sistemleri"),
    "components": ("Components", ["Comp", "Compts"], None, None),
    "holding": ("Holding", ["Hldg"], None, "Holding"),
    "investment": ("Investment", ["Invest", "Invt"], None, "Yatırım"),
    "construction": ("Construction", ["Constr", "Const"], None, "İnşaat"),
    "marine": ("Marine", ["Mar.", "Mrn"], None, None),
    "petroleum": ("Petroleum", ["Petrol", "Petrol."], None, None),
    "corporation": ("Corporation", ["Corp"], None, None),
    "enterprise": ("Enterprise", ["Ent", "Entp"], None, None),
    "sanayi_ticaret": (None, ["San. ve Tic.", "San ve Tic", "San. Tic."], None,
                       "Sanayi ve Ticaret"),
    "dis_ticaret": (None, ["Dış Tic.", "Dis Tic"], None, "Dış Ticaret"),
}

ZH_CITIES = [("深圳", "Shenzhen"), ("上海", "Shanghai"), ("北京", "Beijing"), ("广州", "Guangzhou"),
             ("天津", "Tianjin"), ("成都", "Chengdu"), ("武汉", "Wuhan"), ("杭州", "Hangzhou"),
             ("南京", "Nanjing"), ("苏州", "Suzhou"), ("东莞", "Dongguan"), ("厦门", "Xiamen"),
             ("宁波", "Ningbo"), ("青岛", "Qingdao"), ("大连", "Dalian"), ("长沙", "Changsha"),
             ("珠海", "Zhuhai"), ("哈尔滨", "Harbin"), ("沈阳", "Shenyang"), ("重庆", "Chongqing")]
CITIES = {
    "ae": ["Dubai", "Sharjah", "Ajman", "Abu Dhabi", "Ras Al Khaimah"],
    "ir": ["Tehran", "Isfahan", "Shiraz", "Tabriz", "Mashhad", "Kish", "Bandar Abbas"],
    "tr": ["İstanbul", "Ankara", "İzmir", "Mersin", "Bursa", "Gaziantep"],
    "lv": ["Riga", "Daugavpils", "Liepaja"], "lt": ["Vilnius", "Kaunas", "Klaipeda"],
    "ee": ["Tallinn", "Tartu", "Narva"], "pl": ["Warszawa", "Gdansk", "Krakow", "Lodz"],
    "sg": ["Singapore"], "my": ["Kuala Lumpur", "Penang", "Johor"],
    "de": ["Hamburg", "Berlin", "Frankfurt", "Munich"], "gb": ["London", "Manchester"],
    "kz": ["Almaty", "Astana", "Karaganda"], "am": ["Yerevan", "Gyumri"], "kg": ["Bishkek"],
    "pk": ["Karachi", "Lahore", "Islamabad", "Rawalpindi"], "kp": ["Pyongyang"],
    "hk": ["Hong Kong"], "ru": ["Moscow", "Saint Petersburg", "Yekaterinburg", "Novosibirsk",
                                "Kazan", "Nizhny Novgorod", "Samara", "Chelyabinsk", "Tula"],
    "ua": ["Kyiv", "Kharkiv", "Odesa", "Dnipro"], "by": ["Minsk", "Brest", "Gomel", "Vitebsk"],
    "cy": ["Limassol", "Nicosia", "Larnaca"], "us": ["New York", "Miami", "Houston"],
    "it": ["Milano", "Roma", "Torino"], "ro": ["Bucuresti", "Constanta"], "nl": ["Rotterdam"],
    "ch": ["Zurich", "Geneva", "Lugano"], "fr": ["Paris", "Lyon"], "es": ["Madrid"],
    "pa": ["Panama City"], "ve": ["Caracas", "Maracaibo"], "sy": ["Damascus", "Aleppo"],
    "iq": ["Baghdad", "Basra"], "lb": ["Beirut"], "om": ["Muscat"], "cn": [],
}

# Latin brand words (UAE, Baltic, Western, Asian trading names).
BRAND_WORDS = """Alpha Nova Astra Vega Orion Polar Zenith Apex Atlas Titan Delta Sigma Omega Falcon
Eagle Phoenix Crystal Silver Golden Blue Green Star Sun Sky Ocean Gulf Pacific Atlantic Euro Asia
Global United Mega Prime Smart Quantum Vector Matrix Nexus Vertex Helix Cobalt Granite Summit
Pinnacle Horizon Meridian Aurora Nordic Baltic Amber Arctic Caspian Eastern Western Northern
Royal Imperial Crown Liberty Unity Fortune Lucky Bright Rapid Swift Express Dynamic Advanced
Modern Future Infinity Lotus Jasmine Cedar Oasis Dune Palm Pearl Coral Marlin Dolphin Orca
Condor Hawk Lynx Jaguar Puma Cheetah Bison Stallion Mustang Comet Nebula Galaxy Solaris Lunar
Stellar Radiant Spectra Prisma Opal Topaz Sapphire Emerald Ruby Onyx Jade Ivory Ebony Scarlet
Azure Indigo Crimson Viking Saxon Hansa Kronos Hermes Apollo Athena Zeus Hera Triton Poseidon
Neptune Mercury Jupiter Saturn Pluto Sirius Altair Rigel Antares Polaris Capella Deneb Castor
Pollux Arcturus Avalon Everest Kilimanjaro Alpine Sierra Savanna Tundra Taiga Steppe Delta
Noor Amal Baraka Salam Rawad Wafa Najm Sahara Zaytoun Yasmin Reem Tamr Bahar Riyad Jazeera
Karvan Ariana Parsian Kavir Alvand Zagros Sepid Tavana Rahyab Behin Kimia Mehran Sina Avesta""".split()
IR_BRAND_WORDS = [["Pars"], ["Kish"], ["Aria", "Arya"], ["Sepehr"], ["Mehr"], ["Tavan"],
                  ["Farayand"], ["Behsaz"], ["Sanat", "Sanaat"], ["Naft"], ["Saba"],
                  ["Tose'e", "Toseeh", "Tosee"], ["Kavosh"], ["Payam"], ["Pishgaman", "Pishgaaman"],
                  ["Rahbar"], ["Fanavaran", "Fanavaraan"], ["Sazeh", "Saze"], ["Andisheh", "Andishe"],
                  ["Negin"], ["Arvand"], ["Karun", "Karoon"], ["Alborz"], ["Damavand"], ["Azar"],
                  ["Khazar"], ["Hormoz", "Hormuz"], ["Sahand"], ["Shahab"], ["Tejarat"],
                  ["Mohandesi", "Mohandessi"], ["Pouya", "Puya"], ["Raad"], ["Jahan"], ["Nama"],
                  ["Mabna"], ["Paya"], ["Sharif"], ["Ofogh", "Ofoq"], ["Zarin"], ["Part"],
                  ["Nikan"], ["Atieh", "Atiyeh"], ["Pardazesh"], ["Ertebat"], ["Hamrah"]]
TR_BRAND_WORDS = ["Yıldız", "Akdeniz", "Anadolu", "Kartal", "Ege", "Marmara", "Doğan", "Özdemir",
                  "Aslan", "Boğaziçi", "Karadeniz", "Toros", "Fırat", "Dicle", "Kardeşler",
                  "Güneş", "Yıldırım", "Atlas", "Kuzey", "Güney", "Doğu", "Batı", "Bereket",
                  "Umut", "Kervan", "Demir", "Çelik", "Altın", "Gümüş", "Safir", "Zümrüt",
                  "Kaya", "Ada", "Deniz", "Ufuk", "Akın", "Tunç", "Pars", "Şimşek", "Poyraz"]
KP_BRAND_WORDS = ["Ryonbong", "Kwangson", "Tanchon", "Kumgang", "Paektu", "Chongchon", "Sobaeksu",
                  "Haegumgang", "Unha", "Songi", "Sungri", "Namgang", "Kangbong", "Hyoksin",
                  "Chonsung", "Kumsong", "Korvo", "Daesong", "Rungra", "Mansudae", "Ryugyong",
                  "Kwangmyong", "Kangson", "Taedonggang", "Chilsong", "Myohyang", "Pothonggang",
                  "Ryongaksan", "Kumsusan", "Chollima", "Saebyol", "Amnokgang", "Tumangang",
                  "Sinhung", "Mirae", "Unjong", "Ponghwa", "Chongbong", "Kyonghung", "Pyongsu",
                  "Ragwon", "Sonbong", "Hwasong", "Paekho", "Kumbit", "Manpung", "Ryusong"]
KP_SECTORS = ["Mining", "Ship", "Steel", "Chemical", "Cement", "Fisheries", "Silk", "Ginseng",
              "Machine", "Tractor", "Coal", "Magnesia", "Marine", "Foodstuff", "Metal"]

# Vessel name words.
VESSEL_WORDS = """Ocean Sea Star Pearl Princess Queen Glory Fortune Spirit Horizon Wave Breeze
Dawn Light Pride Crest Voyager Navigator Pioneer Explorer Mariner Trader Carrier Venture Harmony
Serenity Victory Liberty Grace Hope Faith Unity Jewel Diamond Emerald Sapphire Coral Marlin
Albatross Petrel Gannet Tern Osprey Darya Noor Sahar Arman Baran Honar Sabiti Helm Dena
Marshal Admiral Kapitan Akademik Professor General Severny Yuzhny Volga Neva Amur Baikal Irtysh
Lena Pechora Sakhalin Kamchatka Chukotka Vityaz Sparta Ursa Grand Royal Golden Silver Blue
Bright Lucky Happy Great Eastern Western Northern Southern Asian Gulf Pacific Atlantic Arctic
Polar Tundra Taiga Steppe Delta Mekong Yangtze Pearl Jade Lotus Phoenix Dragon Tiger Lion Eagle
Falcon Hawk Condor Swan Crane Heron Flamingo Pelican Kestrel Merlin Kite Harrier""".split()
VESSEL_FLAGS = ["IR", "KP", "RU", "PA", "CM", "TG", "SL", "KM", "LR", "MH", "MN", "TZ", "GA",
                "PW", "CK", "SY", "VE", "HK", "CN", "MY", "AE"]
AIRCRAFT_PREFIX = {"IR": "EP-", "RU": "RA-", "SY": "YK-", "VE": "YV", "KP": "P-", "BY": "EW-",
                   "IQ": "YI-", "AE": "A6-", "AM": "EK", "KZ": "UP-"}
AIRCRAFT_TYPES = ["Airbus A340-642", "Airbus A310-304", "Boeing 747-422", "Boeing 737-800",
                  "Ilyushin Il-76TD", "Ilyushin Il-62M", "Tupolev Tu-204-300", "Sukhoi SSJ100-95B",
                  "Antonov An-124-100", "Airbus A320-214", "Boeing 777-200ER", "Embraer E190",
                  "Bombardier CRJ-200", "Gulfstream G650", "Dassault Falcon 7X", "Airbus A330-243"]
