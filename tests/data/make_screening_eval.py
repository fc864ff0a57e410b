#!/usr/bin/env python3
"""Generates screening_eval.jsonl: labelled (query, party) pairs for the fuzzy name screening engine.

Deterministic (seeded, stdlib only): `python3 make_screening_eval.py > screening_eval.jsonl`.

True pairs vary one listed party the way a customs declaration would: typos, transliteration
variants (incl. original Cyrillic/Greek/Arabic/Han script), reordering, dropped or added legal
forms, initials, aliases, diacritics, split/glued words, identifiers. False pairs are hard
look-alikes: same surname with a different given name, same first word of a different company,
similar but distinct vessels, and names matching only a weak alias.
"""

import json
import random
import sys

SEED = 20240611
N_TRUE = 620
N_FALSE = 620

# Each name part: (original script or None, [Latin spellings, most common first]).
CULTURES = {
    "ru": {
        "country": "RU",
        "given_m": [
            ("Александр", ["Aleksandr", "Alexander", "Alexandr"]), ("Дмитрий", ["Dmitriy", "Dmitry", "Dmitrii"]),
            ("Сергей", ["Sergey", "Sergei"]), ("Андрей", ["Andrey", "Andrei"]), ("Алексей", ["Aleksey", "Alexei", "Alexey"]),
            ("Михаил", ["Mikhail", "Michail"]), ("Юрий", ["Yuriy", "Yuri", "Iouri"]), ("Евгений", ["Evgeniy", "Yevgeny", "Evgeny"]),
            ("Николай", ["Nikolay", "Nikolai"]), ("Игорь", ["Igor"]), ("Владимир", ["Vladimir"]), ("Олег", ["Oleg"]),
            ("Виктор", ["Viktor", "Victor"]), ("Павел", ["Pavel"]), ("Геннадий", ["Gennadiy", "Gennady"]),
            ("Аркадий", ["Arkadiy", "Arkady"]), ("Борис", ["Boris"]), ("Константин", ["Konstantin"]),
        ],
        "given_f": [
            ("Татьяна", ["Tatyana", "Tatiana"]), ("Елена", ["Elena", "Yelena"]), ("Ольга", ["Olga"]),
            ("Наталья", ["Natalya", "Natalia"]), ("Ирина", ["Irina"]), ("Светлана", ["Svetlana"]),
            ("Екатерина", ["Ekaterina", "Yekaterina"]), ("Анна", ["Anna"]),
        ],
        "surname": [
            ("Иванов", ["Ivanov"]), ("Петров", ["Petrov"]), ("Сидоров", ["Sidorov"]), ("Кузнецов", ["Kuznetsov", "Kouznetsov"]),
            ("Смирнов", ["Smirnov"]), ("Попов", ["Popov"]), ("Васильев", ["Vasilyev", "Vasiliev"]), ("Соколов", ["Sokolov"]),
            ("Михайлов", ["Mikhailov", "Mikhaylov"]), ("Новиков", ["Novikov"]), ("Фёдоров", ["Fedorov", "Fyodorov"]),
            ("Морозов", ["Morozov"]), ("Волков", ["Volkov"]), ("Алексеев", ["Alekseev", "Alexeyev"]), ("Лебедев", ["Lebedev"]),
            ("Семёнов", ["Semenov", "Semyonov"]), ("Егоров", ["Egorov", "Yegorov"]), ("Козлов", ["Kozlov"]),
            ("Ротенберг", ["Rotenberg"]), ("Тимченко", ["Timchenko"]), ("Дерипаска", ["Deripaska"]),
            ("Вексельберг", ["Vekselberg"]), ("Чайковский", ["Chaykovskiy", "Tchaikovsky"]), ("Шевченко", ["Shevchenko"]),
            ("Жуков", ["Zhukov"]), ("Щербаков", ["Shcherbakov", "Scherbakov"]), ("Хабибуллин", ["Khabibullin", "Habibullin"]),
            ("Юсупов", ["Yusupov", "Iusupov"]), ("Ковальчук", ["Kovalchuk"]), ("Патрушев", ["Patrushev"]),
        ],
        "patronymic": [
            ("Владимирович", ["Vladimirovich"]), ("Сергеевич", ["Sergeevich", "Sergeyevich"]),
            ("Александрович", ["Aleksandrovich", "Alexandrovich"]), ("Игоревич", ["Igorevich"]),
            ("Николаевич", ["Nikolaevich", "Nikolayevich"]), ("Борисович", ["Borisovich"]), ("Олегович", ["Olegovich"]),
        ],
    },
    "ar": {
        "country": "SY",
        "given_m": [
            ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohammad"]), ("أحمد", ["Ahmed", "Ahmad"]), ("علي", ["Ali"]),
            ("حسن", ["Hassan", "Hasan"]), ("حسين", ["Hussein", "Husain", "Hussain"]), ("عمر", ["Omar", "Umar"]),
            ("خالد", ["Khalid", "Khaled"]), ("يوسف", ["Youssef", "Yusuf", "Yousef"]), ("إبراهيم", ["Ibrahim", "Ebrahim"]),
            ("مصطفى", ["Mustafa", "Moustafa", "Mostafa"]), ("عبد الله", ["Abdullah", "Abdallah", "Abdulla"]),
            ("سعيد", ["Saeed", "Said", "Saied"]), ("طارق", ["Tariq", "Tarek"]), ("جمال", ["Jamal", "Gamal"]),
            ("سليمان", ["Sulaiman", "Suleiman", "Soliman"]), ("ماجد", ["Majid", "Majed"]), ("نبيل", ["Nabil", "Nabeel"]),
            ("رامي", ["Rami", "Ramy"]), ("وليد", ["Walid", "Waleed"]), ("فيصل", ["Faisal", "Faysal"]),
        ],
        "given_f": [("فاطمة", ["Fatima", "Fatma"]), ("عائشة", ["Aisha", "Aysha"]), ("مريم", ["Maryam", "Mariam"]),
                    ("زينب", ["Zainab", "Zaynab"])],
        "surname": [
            ("الحسن", ["Al-Hassan", "Al Hasan", "Alhassan"]), ("الراشد", ["Al-Rashid", "Al Rasheed"]),
            ("المنصور", ["Al-Mansour", "Al Mansur"]), ("الخطيب", ["Al-Khatib", "Al Khateeb"]), ("حداد", ["Haddad"]),
            ("خوري", ["Khoury", "Khouri"]), ("نصر الله", ["Nasrallah", "Nasrullah"]), ("الزعبي", ["Al-Zoubi", "Al Zubi"]),
            ("القحطاني", ["Al-Qahtani", "Al Kahtani"]), ("الشمري", ["Al-Shammari", "Al Shammary"]),
            ("العتيبي", ["Al-Otaibi", "Al Oteibi"]), ("السعدي", ["Al-Saadi", "Al Sadi"]), ("البغدادي", ["Al-Baghdadi"]),
            ("التكريتي", ["Al-Tikriti"]), ("حمدان", ["Hamdan"]), ("صالح", ["Saleh", "Salih"]), ("يعقوب", ["Yacoub", "Yaqub"]),
            ("مخلوف", ["Makhlouf", "Makhluf"]), ("الأسد", ["Al-Assad", "Al Asad"]), ("قاسم", ["Qasem", "Kassem", "Qassim"]),
        ],
    },
    "fa": {
        "country": "IR",
        "given_m": [
            ("حسین", ["Hossein", "Hosein", "Husayn"]), (None, ["Mohammad Reza", "Mohammadreza", "Mohamad Reza"]),
            (None, ["Alireza", "Ali Reza"]), ("محمود", ["Mahmoud", "Mahmud"]), ("مهدی", ["Mehdi", "Mahdi"]),
            ("جواد", ["Javad", "Jawad"]), ("حمید", ["Hamid"]), ("مسعود", ["Masoud", "Massoud", "Masud"]),
            ("عباس", ["Abbas"]), (None, ["Gholamreza", "Gholam Reza", "Qolamreza"]), (None, ["Fereydoun", "Fereidoun"]),
            ("پرویز", ["Parviz", "Parvez"]), ("مجید", ["Majid"]), ("بهروز", ["Behrouz", "Behruz"]),
        ],
        "given_f": [("زهرا", ["Zahra"]), ("مریم", ["Maryam"]), (None, ["Shirin"]), (None, ["Fatemeh", "Fatemah"])],
        "surname": [
            (None, ["Rezaei", "Rezaie", "Rezaee"]), (None, ["Hosseini", "Husseini", "Hoseini"]), (None, ["Ahmadi"]),
            (None, ["Mohammadi", "Mohamadi"]), (None, ["Karimi"]), (None, ["Moradi"]), (None, ["Jafari", "Jaafari"]),
            (None, ["Ghasemi", "Qasemi"]), (None, ["Soleimani", "Suleimani"]), (None, ["Zarif"]), (None, ["Larijani"]),
            (None, ["Rahimi"]), (None, ["Tehrani"]), (None, ["Ahmadinejad", "Ahmadinezhad"]), (None, ["Nazari"]),
            (None, ["Shamkhani"]), (None, ["Vahidi"]), (None, ["Firouzabadi", "Firuzabadi"]),
        ],
    },
    "zh": {
        "country": "CN",
        "family_first": True,
        "given_m": [
            ("伟", ["Wei"]), ("强", ["Qiang"]), ("磊", ["Lei"]), ("军", ["Jun"]), ("勇", ["Yong"]), ("杰", ["Jie"]),
            ("涛", ["Tao"]), ("明", ["Ming"]), ("超", ["Chao"]), ("小平", ["Xiaoping", "Xiao Ping"]),
            ("建国", ["Jianguo", "Jian Guo"]), ("国强", ["Guoqiang", "Guo Qiang"]), ("志伟", ["Zhiwei", "Zhi Wei"]),
            ("海波", ["Haibo", "Hai Bo"]), ("永康", ["Yongkang", "Yong Kang"]),
        ],
        "given_f": [("芳", ["Fang"]), ("娜", ["Na"]), ("敏", ["Min"]), ("静", ["Jing"]), ("秀英", ["Xiuying", "Xiu Ying"]),
                    ("海燕", ["Haiyan", "Hai Yan"])],
        "surname": [
            ("王", ["Wang"]), ("李", ["Li", "Lee"]), ("张", ["Zhang", "Chang"]), ("刘", ["Liu"]), ("陈", ["Chen", "Chan"]),
            ("杨", ["Yang"]), ("黄", ["Huang", "Wong"]), ("赵", ["Zhao"]), ("吴", ["Wu"]), ("周", ["Zhou", "Chou"]),
            ("徐", ["Xu"]), ("孙", ["Sun"]), ("马", ["Ma"]), ("朱", ["Zhu"]), ("胡", ["Hu"]), ("郭", ["Guo", "Kuo"]),
            ("林", ["Lin", "Lam"]), ("高", ["Gao"]), ("罗", ["Luo"]), ("梁", ["Liang"]),
        ],
    },
    "ko": {
        "country": "KP",
        "family_first": True,
        "given_m": [
            (None, ["Jong Un", "Jong-un", "Jongun"]), (None, ["Yong Ho", "Yong-ho"]), (None, ["Myong Chol", "Myong-chol"]),
            (None, ["Song Il", "Song-il"]), (None, ["Kwang Il", "Kwang-il"]), (None, ["Hyon Chol", "Hyon-chol"]),
            (None, ["Chol Su", "Chol-su"]), (None, ["Yong Nam", "Yong-nam"]), (None, ["Su Gil", "Su-gil"]),
            (None, ["Tae Song", "Tae-song"]),
        ],
        "given_f": [(None, ["Yo Jong", "Yo-jong"]), (None, ["Son Hui", "Son-hui"])],
        "surname": [
            (None, ["Kim", "Gim"]), (None, ["Pak", "Park"]), (None, ["Ri", "Lee", "Yi"]), (None, ["Choe", "Choi"]),
            (None, ["Jang", "Chang"]), (None, ["Kang"]), (None, ["Han"]), (None, ["Jon", "Jeon"]), (None, ["Hwang"]),
            (None, ["Yun", "Yoon"]), (None, ["Ryu", "Yoo"]), (None, ["Sin", "Shin"]),
        ],
    },
    "de": {
        "country": "DE",
        "given_m": [
            (None, ["Hans"]), (None, ["Jürgen", "Juergen", "Jurgen"]), (None, ["Klaus"]), (None, ["Stefan", "Stephan"]),
            (None, ["Wolfgang"]), (None, ["Matthias", "Mathias"]), (None, ["Günter", "Guenter", "Gunter"]),
            (None, ["Dieter"]), (None, ["Uwe"]), (None, ["Thomas"]), (None, ["Bernd"]), (None, ["Joachim"]),
        ],
        "given_f": [(None, ["Ursula"]), (None, ["Sabine"]), (None, ["Petra"]), (None, ["Monika"])],
        "surname": [
            (None, ["Müller", "Mueller", "Muller"]), (None, ["Schmidt", "Schmitt"]), (None, ["Schneider"]),
            (None, ["Fischer"]), (None, ["Weber"]), (None, ["Meyer", "Meier", "Maier"]), (None, ["Wagner"]),
            (None, ["Becker"]), (None, ["Schulz", "Schultz"]), (None, ["Hoffmann", "Hofmann"]),
            (None, ["Schäfer", "Schaefer"]), (None, ["Richter"]), (None, ["Schröder", "Schroeder"]),
            (None, ["Zimmermann"]), (None, ["Krüger", "Krueger"]), (None, ["Weiß", "Weiss"]),
        ],
    },
    "fr": {
        "country": "FR",
        "given_m": [
            (None, ["Jean-Pierre", "Jean Pierre"]), (None, ["François", "Francois"]), (None, ["Jérôme", "Jerome"]),
            (None, ["Philippe"]), (None, ["Olivier"]), (None, ["Stéphane", "Stephane"]), (None, ["Thierry"]),
            (None, ["Frédéric", "Frederic"]), (None, ["Benoît", "Benoit"]),
        ],
        "given_f": [(None, ["Hélène", "Helene"]), (None, ["Isabelle"]), (None, ["Céline", "Celine"])],
        "surname": [
            (None, ["Dubois"]), (None, ["Lefèvre", "Lefebvre", "Lefevre"]), (None, ["Moreau"]), (None, ["Laurent"]),
            (None, ["Girard"]), (None, ["Rousseau"]), (None, ["Bonnet"]), (None, ["Dupont"]), (None, ["Lambert"]),
            (None, ["Fontaine"]), (None, ["Chevalier"]), (None, ["Mercier"]), (None, ["Giraud"]), (None, ["Faure"]),
        ],
    },
    "es": {
        "country": "VE",
        "double_surname": True,
        "given_m": [
            (None, ["José", "Jose"]), (None, ["Juan Carlos"]), (None, ["Jesús", "Jesus"]), (None, ["Nicolás", "Nicolas"]),
            (None, ["Diosdado"]), (None, ["Tareck", "Tarek"]), (None, ["Alejandro"]), (None, ["Rafael"]),
            (None, ["Hernán", "Hernan"]), (None, ["Sergio"]),
        ],
        "given_f": [(None, ["María", "Maria"]), (None, ["Delcy"]), (None, ["Carmen"]), (None, ["Lucía", "Lucia"])],
        "surname": [
            (None, ["García", "Garcia"]), (None, ["Rodríguez", "Rodriguez"]), (None, ["Martínez", "Martinez"]),
            (None, ["Hernández", "Hernandez"]), (None, ["López", "Lopez"]), (None, ["González", "Gonzalez"]),
            (None, ["Pérez", "Perez"]), (None, ["Sánchez", "Sanchez"]), (None, ["Ramírez", "Ramirez"]),
            (None, ["Maduro"]), (None, ["Moros"]), (None, ["Cabello"]), (None, ["Rondón", "Rondon"]),
            (None, ["Saab"]), (None, ["Villegas"]), (None, ["Carvajal"]), (None, ["Zambrano"]), (None, ["Urdaneta"]),
        ],
    },
    "tr": {
        "country": "TR",
        "given_m": [
            (None, ["Mehmet", "Mehmed"]), (None, ["Mustafa"]), (None, ["Ahmet"]), (None, ["Hüseyin", "Huseyin"]),
            (None, ["İbrahim", "Ibrahim"]), (None, ["Murat"]), (None, ["Ömer", "Omer"]), (None, ["Gökhan", "Gokhan"]),
            (None, ["Emre"]), (None, ["Recep"]), (None, ["Halil"]), (None, ["Serkan"]),
        ],
        "given_f": [(None, ["Ayşe", "Ayse"]), (None, ["Zeynep"]), (None, ["Elif"]), (None, ["Emine"])],
        "surname": [
            (None, ["Yılmaz", "Yilmaz"]), (None, ["Kaya"]), (None, ["Demir"]), (None, ["Şahin", "Sahin"]),
            (None, ["Çelik", "Celik"]), (None, ["Yıldız", "Yildiz"]), (None, ["Yıldırım", "Yildirim"]),
            (None, ["Öztürk", "Ozturk"]), (None, ["Aydın", "Aydin"]), (None, ["Özdemir", "Ozdemir"]),
            (None, ["Arslan"]), (None, ["Doğan", "Dogan"]), (None, ["Kılıç", "Kilic"]), (None, ["Zarrab"]),
        ],
    },
    "el": {
        "country": "GR",
        "given_m": [
            ("Γεώργιος", ["Georgios", "Giorgos"]), ("Κωνσταντίνος", ["Konstantinos", "Constantinos"]),
            ("Ιωάννης", ["Ioannis", "Yannis"]), ("Δημήτριος", ["Dimitrios", "Demetrios"]), ("Νικόλαος", ["Nikolaos"]),
            ("Παναγιώτης", ["Panagiotis", "Panayiotis"]), ("Βασίλειος", ["Vasileios", "Vasilios"]),
        ],
        "given_f": [("Μαρία", ["Maria"]), ("Ελένη", ["Eleni"]), ("Αικατερίνη", ["Aikaterini", "Ekaterini"])],
        "surname": [
            ("Παπαδόπουλος", ["Papadopoulos"]), ("Παπαδάκης", ["Papadakis"]), ("Γεωργίου", ["Georgiou"]),
            ("Οικονόμου", ["Oikonomou", "Economou"]), ("Βασιλείου", ["Vasileiou", "Vassiliou"]),
            ("Νικολάου", ["Nikolaou"]), ("Ιωάννου", ["Ioannou"]), ("Αντωνίου", ["Antoniou"]),
            ("Μαυρίδης", ["Mavridis"]), ("Καραγιάννης", ["Karagiannis", "Karayannis"]),
        ],
    },
    "he": {
        "country": "IL",
        "given_m": [("דוד", ["David"]), ("משה", ["Moshe"]), ("יוסף", ["Yosef", "Joseph"]), ("אברהם", ["Avraham", "Abraham"])],
        "given_f": [("שרה", ["Sarah", "Sara"]), ("רחל", ["Rachel"])],
        "surname": [("כהן", ["Cohen", "Kohen"]), ("לוי", ["Levi", "Levy"]), ("מזרחי", ["Mizrahi", "Mizrachi"]),
                    ("פרץ", ["Peretz", "Perets"]), ("ביטון", ["Biton", "Bitton"]), ("אברהם", ["Avraham"])],
    },
}

# Companies: brand words per language (original script or None, Latin spellings).
BRANDS = {
    "ru": [("Ромашка", ["Romashka"]), ("Сибирь", ["Sibir"]), ("Восток", ["Vostok"]), ("Альфа", ["Alfa", "Alpha"]),
           ("Стройтранс", ["Stroytrans", "Stroitrans"]), ("Техномаш", ["Tekhnomash", "Technomash"]),
           ("Промсервис", ["Promservis", "Promservice"]), ("Северсталь", ["Severstal"]), ("Уралхим", ["Uralkhim", "Uralchem"]),
           ("Балтика", ["Baltika"]), ("Энергомаш", ["Energomash"]), ("Транснефть", ["Transneft"]),
           ("Аэрофлот", ["Aeroflot"]), ("Ростех", ["Rostekh", "Rostec"]), ("Газтехника", ["Gaztekhnika"])],
    "ar": [("النور", ["Al Noor", "Al-Nour", "Alnoor"]), ("الأمل", ["Al Amal", "Al-Amal"]), ("الفجر", ["Al Fajr", "Al-Fajer"]),
           ("البركة", ["Al Baraka", "Al-Barakah"]), ("الرشيد", ["Al Rasheed", "Al-Rashid"]), ("الخليج", ["Al Khaleej", "Al-Khalij"]),
           ("الشرق", ["Al Sharq", "Al-Shark"]), ("الهدى", ["Al Huda", "Al-Hoda"])],
    "fa": [(None, ["Pars"]), (None, ["Kish"]), (None, ["Tavan"]), (None, ["Sepehr"]), (None, ["Mahan"]),
           (None, ["Behsaz"]), (None, ["Tadbir"]), (None, ["Ghadir", "Qadir"]), (None, ["Arvand"]), (None, ["Khatam"])],
    "zh": [(None, ["Zhongxing"]), (None, ["Hengtong"]), (None, ["Xinhua"]), (None, ["Jinlong"]), (None, ["Huaxin"]),
           (None, ["Dalian"]), (None, ["Ningbo"]), (None, ["Shenzhen"]), (None, ["Tianjin"]), (None, ["Hongda"]),
           (None, ["Longsheng"]), (None, ["Haixing"])],
    "de": [(None, ["Nordwind"]), (None, ["Rheinstahl"]), (None, ["Elbtal"]), (None, ["Bergmann"]),
           (None, ["Sonnenberg"]), (None, ["Alpentech", "Alpen Tech"]), (None, ["Hansa"]), (None, ["Feldmann"])],
    "fr": [(None, ["Lumière", "Lumiere"]), (None, ["Soleil"]), (None, ["Rivière", "Riviere"]), (None, ["Bellevue"]),
           (None, ["Montblanc", "Mont Blanc"]), (None, ["Aquitaine"])],
    "es": [(None, ["Estrella"]), (None, ["Aurora"]), (None, ["Sol Naciente"]), (None, ["Cóndor", "Condor"]),
           (None, ["Bolivar"]), (None, ["Orinoco"])],
    "tr": [(None, ["Anadolu"]), (None, ["Karadeniz"]), (None, ["Güneş", "Gunes"]), (None, ["Yıldız", "Yildiz"]),
           (None, ["Marmara"]), (None, ["Ege"]), (None, ["Toros"]), (None, ["Kartal"])],
    "en": [(None, ["Golden Eagle"]), (None, ["Ocean Star"]), (None, ["Global Pioneer"]), (None, ["Atlas"]),
           (None, ["Summit"]), (None, ["Crescent"]), (None, ["Phoenix"]), (None, ["Horizon"]), (None, ["Silverline"]),
           (None, ["Bluewater", "Blue Water"]), (None, ["Northstar", "North Star"]), (None, ["Redstone"])],
}

SECTORS = ["Trading", "Shipping", "Logistics", "Industries", "Petroleum", "Engineering", "Construction",
           "Electronics", "Technologies", "Holding", "Maritime", "Chemicals", "Metals", "Energy", "Aviation",
           "Import Export", "Machinery", "Investment"]

LEGAL_FORMS = {
    "ru": [("ООО", ["OOO", "LLC", "Limited Liability Company"]), ("АО", ["AO", "JSC"]), ("ЗАО", ["ZAO", "CJSC"]),
           ("ПАО", ["PAO", "PJSC"])],
    "ar": [(None, ["LLC"]), (None, ["Co."]), (None, ["FZE"]), (None, ["Est."]), (None, ["W.L.L."])],
    "fa": [(None, ["Co."]), (None, ["PJS"]), (None, ["Company"])],
    "zh": [(None, ["Co., Ltd.", "Co Ltd", "Company Limited"]), (None, ["Limited"])],
    "de": [(None, ["GmbH"]), (None, ["AG"]), (None, ["GmbH & Co. KG"])],
    "fr": [(None, ["SARL"]), (None, ["SA", "S.A."]), (None, ["SAS"])],
    "es": [(None, ["S.A.", "SA"]), (None, ["S.L."]), (None, ["S.A. de C.V."]), (None, ["C.A."])],
    "tr": [(None, ["A.Ş.", "AS"]), (None, ["Ltd. Şti.", "Ltd Sti"])],
    "en": [(None, ["Ltd", "Limited"]), (None, ["Inc.", "Incorporated"]), (None, ["Corp.", "Corporation"]),
           (None, ["LLC"]), (None, ["PLC"])],
}
BRAND_COUNTRY = {"ru": "RU", "ar": "AE", "fa": "IR", "zh": "CN", "de": "DE", "fr": "FR", "es": "VE", "tr": "TR",
                 "en": "GB"}

VESSEL_WORDS_A = ["Ocean", "Golden", "Sea", "Pacific", "Atlantic", "Silver", "Royal", "Northern", "Eastern",
                  "Blue", "Grand", "Star", "Adrian", "Happy", "Lucky", "Iran", "Arctic", "Caspian"]
VESSEL_WORDS_B = ["Star", "Dawn", "Princess", "Glory", "Pearl", "Spirit", "Wave", "Fortune", "Harmony",
                  "Breeze", "Voyager", "Darya", "Falcon", "Trader", "Queen", "Horizon", "Navigator", "Dolphin"]
FLAGS = ["PA", "LR", "MH", "IR", "KP", "SY", "RU", "CM", "TG", "KM", "MT", "HK"]
AIRCRAFT_MODELS = ["Airbus A310", "Airbus A340", "Boeing 747", "Boeing 737", "Ilyushin Il-76", "Antonov An-124",
                   "Tupolev Tu-204", "Embraer E190"]
AIRCRAFT_PREFIXES = ["EP", "RA", "YK", "UP", "EX"]

KEYBOARD_NEIGHBOURS = {
    "a": "sqz", "b": "vn", "c": "xv", "d": "sf", "e": "wr", "f": "dg", "g": "fh", "h": "gj", "i": "uo", "j": "hk",
    "k": "jl", "l": "k", "m": "n", "n": "bm", "o": "ip", "p": "o", "q": "wa", "r": "et", "s": "ad", "t": "ry",
    "u": "yi", "v": "cb", "w": "qe", "x": "zc", "y": "tu", "z": "xa",
}


class Gen:
    def __init__(self, seed):
        self.rng = random.Random(seed)

    def zipf(self, items):
        """Earlier entries are more common, as real name frequencies are."""
        weights = [1.0 / (i + 1) for i in range(len(items))]
        return self.rng.choices(items, weights=weights, k=1)[0]

    # ---------- parties ----------
    def person(self, culture_key=None):
        key = culture_key or self.rng.choice(sorted(CULTURES))
        c = CULTURES[key]
        female = self.rng.random() < 0.25
        given = self.zipf(c["given_f"] if female else c["given_m"])
        surname = self.zipf(c["surname"])
        parts = {"given": given, "surname": surname}
        if key == "ru" and self.rng.random() < 0.5:
            parts["patronymic"] = self.zipf(c["patronymic"])
        if key == "ar" and self.rng.random() < 0.4:
            parts["father"] = self.zipf(c["given_m"])
        if c.get("double_surname") and self.rng.random() < 0.6:
            parts["surname2"] = self.zipf([s for s in c["surname"] if s != surname])
        return {"kind": "person", "culture": key, "female": female, "parts": parts}

    def company(self, culture_key=None):
        key = culture_key or self.rng.choice(sorted(BRANDS))
        brand = self.zipf(BRANDS[key])
        brand2 = self.zipf(BRANDS[key]) if self.rng.random() < 0.3 else None
        if brand2 == brand:
            brand2 = None
        sector = self.zipf(SECTORS) if self.rng.random() < 0.75 else None
        legal = self.rng.choice(LEGAL_FORMS[key])
        return {"kind": "company", "culture": key, "brand": brand, "brand2": brand2, "sector": sector,
                "legal": legal}

    def vessel(self):
        name = [self.rng.choice(VESSEL_WORDS_A), self.rng.choice(VESSEL_WORDS_B)]
        if name[0] == name[1]:
            name[1] = "Spirit"
        number = str(self.rng.randint(1, 9)) if self.rng.random() < 0.2 else None
        imo = str(self.rng.randint(9000000, 9899999))
        return {"kind": "vessel", "words": name, "number": number, "imo": imo}

    def aircraft(self):
        prefix = self.rng.choice(AIRCRAFT_PREFIXES)
        tail = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(3))
        return {"kind": "aircraft", "model": self.rng.choice(AIRCRAFT_MODELS), "tail": f"{prefix}-{tail}",
                "msn": str(self.rng.randint(100, 9999))}

    # ---------- rendering ----------
    @staticmethod
    def latin(part, variant=0):
        spellings = part[1]
        return spellings[min(variant, len(spellings) - 1)]

    def person_tokens(self, p, script="latin", variant=0):
        """Name parts in listing order (given [patronymic|father] surname [surname2])."""
        c = CULTURES[p["culture"]]
        parts = p["parts"]
        order = ["given", "patronymic", "father", "surname", "surname2"]
        out = []
        for role in order:
            if role not in parts:
                continue
            part = parts[role]
            if script == "original" and part[0] is not None:
                text = part[0]
                if role == "surname" and p["female"] and p["culture"] == "ru":
                    text += "а"
            else:
                text = self.latin(part, variant)
                if role == "surname" and p["female"] and p["culture"] == "ru":
                    text += "a"
            out.append((role, text))
        if c.get("family_first"):
            out = [t for t in out if t[0] == "surname"] + [t for t in out if t[0] != "surname"]
        return out

    def person_name(self, p, script="latin", variant=0):
        # Chinese is written without spaces in Han script.
        sep = "" if script == "original" and p["culture"] == "zh" else " "
        return sep.join(t for _, t in self.person_tokens(p, script, variant))

    def has_original(self, p):
        return all(part[0] is not None for part in p["parts"].values())

    def company_name(self, co, script="latin", variant=0, legal=True, legal_variant=0):
        words = []
        for part in [co["brand"], co["brand2"]]:
            if part is None:
                continue
            words.append(part[0] if script == "original" and part[0] else self.latin(part, variant))
        if co["sector"] and script != "original":
            words.append(co["sector"])
        name = " ".join(words)
        if script == "original" and co["culture"] == "ru":
            form = co["legal"][0] or self.latin(co["legal"])
            return f"{form} «{name}»" if legal else name
        if legal:
            name = f"{name} {self.latin(co['legal'], legal_variant)}"
        return name

    def vessel_name(self, v):
        words = list(v["words"])
        if v["number"]:
            words.append(v["number"])
        return " ".join(words).upper()

    # ---------- party documents ----------
    def party_doc(self, e, weak_alias=None):
        names = []
        countries = []
        identifiers = []
        if e["kind"] == "person":
            culture = CULTURES[e["culture"]]
            names.append({"name": self.person_name(e), "kind": "primary"})
            if self.has_original(e) and self.rng.random() < 0.5:
                names.append({"name": self.person_name(e, "original"), "kind": "alias"})
            if self.rng.random() < 0.3:
                alt = self.person_name(e, variant=1)
                if alt != names[0]["name"]:
                    names.append({"name": alt, "kind": "alias"})
            countries.append(culture["country"])
            if self.rng.random() < 0.3:
                identifiers.append({"type": "passport", "value": self.passport()})
            entity = "person"
        elif e["kind"] == "company":
            names.append({"name": self.company_name(e), "kind": "primary"})
            if e["culture"] == "ru" and self.rng.random() < 0.5:
                names.append({"name": self.company_name(e, "original"), "kind": "alias"})
            countries.append(BRAND_COUNTRY[e["culture"]])
            if self.rng.random() < 0.3:
                identifiers.append({"type": "registration", "value": str(self.rng.randint(10**9, 10**10 - 1))})
            entity = "organisation"
        elif e["kind"] == "vessel":
            names.append({"name": self.vessel_name(e), "kind": "primary"})
            countries.append(self.rng.choice(FLAGS))
            identifiers.append({"type": "imo", "value": "IMO " + e["imo"]})
            entity = "vessel"
        else:
            names.append({"name": e["tail"], "kind": "primary"})
            names.append({"name": f"{e['model']} {e['tail']}", "kind": "alias"})
            identifiers.append({"type": "other", "value": "MSN " + e["msn"]})
            countries.append(self.rng.choice(["IR", "RU", "SY", "BY"]))
            entity = "aircraft"
        if weak_alias:
            names.append({"name": weak_alias, "kind": "weak_alias"})
        return {"names": names, "type": entity, "countries": countries, "identifiers": identifiers}

    def passport(self):
        letters = "".join(self.rng.choice("ABCDEFGHJKLMNPRSTUVWXYZ") for _ in range(2))
        return f"{letters}{self.rng.randint(1000000, 9999999)}"

    # ---------- query perturbations ----------
    def typo(self, text):
        tokens = text.split(" ")
        candidates = [i for i, t in enumerate(tokens) if len(t) >= 5 and t.isalpha()]
        if not candidates:
            candidates = [i for i, t in enumerate(tokens) if len(t) >= 3 and t.isalpha()]
        if not candidates:
            return None
        i = self.rng.choice(candidates)
        t = tokens[i]
        pos = self.rng.randint(1, len(t) - 1)
        op = self.rng.choice(["sub", "del", "ins", "swap"])
        ch = t[pos].lower()
        if op == "sub":
            repl = self.rng.choice(KEYBOARD_NEIGHBOURS.get(ch, "e"))
            t = t[:pos] + (repl.upper() if t[pos].isupper() else repl) + t[pos + 1:]
        elif op == "del":
            t = t[:pos] + t[pos + 1:]
        elif op == "ins":
            t = t[:pos] + t[pos] + t[pos:]
        elif pos < len(t) - 1:
            t = t[:pos] + t[pos + 1] + t[pos] + t[pos + 2:]
        else:
            t = t[:pos - 1] + t[pos] + t[pos - 1]
        tokens[i] = t
        return " ".join(tokens)

    def style(self, text):
        """Cosmetic variation a declarant introduces: case."""
        r = self.rng.random()
        if r < 0.3:
            return text.upper()
        if r < 0.4:
            return text.lower()
        return text


def query_of(name, party, gen, with_country=None, with_type=True):
    q = {"name": name}
    if with_type:
        q["type"] = party["type"]
    if with_country is None:
        with_country = gen.rng.random() < 0.4
    if with_country and party["countries"]:
        q["country"] = party["countries"][0]
    return q


def true_pair(gen, why):
    """Returns (query, party) for a real match of kind `why`, or None if not applicable."""
    rng = gen.rng
    if why in ("typo", "reorder", "initials", "transliteration", "diacritics", "alias", "weak_alias_support",
               "double_typo", "partial_reorder"):
        if why == "transliteration":
            culture = rng.choice(["ru", "ru", "ar", "ar", "fa", "el", "zh", "he", "ko", "ru"])
        elif why == "diacritics":
            culture = rng.choice(["de", "fr", "es", "tr"])
        else:
            culture = None
        p = gen.person(culture)
        weak = None
        if why == "weak_alias_support":
            weak = "Abu " + gen.latin(gen.zipf(CULTURES["ar"]["given_m"]))
        party = gen.party_doc(p, weak)
        primary = party["names"][0]["name"]
        if why == "typo":
            name = gen.typo(primary)
        elif why == "double_typo":
            name = gen.typo(primary)
            name = name and gen.typo(name)
        elif why == "reorder":
            toks = gen.person_tokens(p)
            surname = [t for r, t in toks if r in ("surname", "surname2")]
            rest = [t for r, t in toks if r not in ("surname", "surname2")]
            name = " ".join(surname) + ", " + " ".join(rest)
            if rng.random() < 0.5:
                name = name.upper()
        elif why == "partial_reorder":
            toks = [t for _, t in gen.person_tokens(p)]
            rng.shuffle(toks)
            name = " ".join(toks)
        elif why == "initials":
            toks = gen.person_tokens(p)
            if len(toks) < 3 or toks[0][0] != "given":
                return None
            # Middle names (patronymic, father's name) abbreviated, as in "Vladimir V. Putin".
            name = " ".join(t if i in (0, len(toks) - 1) else t[0] + "." for i, (_, t) in enumerate(toks))
        elif why == "transliteration":
            if rng.random() < 0.5 and gen.has_original(p):
                # Listed in original script only; declared in Latin (or vice versa).
                original = gen.person_name(p, "original")
                if rng.random() < 0.5:
                    party["names"] = [{"name": original, "kind": "primary"}]
                    name = gen.person_name(p, variant=rng.randint(0, 2))
                else:
                    name = original
            else:
                name = gen.person_name(p, variant=rng.randint(1, 3))
                if name == primary:
                    return None
        elif why == "diacritics":
            name = gen.person_name(p, variant=1)
            if name == primary:
                return None
        elif why == "alias":
            aliases = [n["name"] for n in party["names"] if n["kind"] == "alias"]
            if not aliases:
                other = gen.person(p["culture"])
                alias = gen.person_name(other)
                party["names"].append({"name": alias, "kind": "alias"})
                aliases = [alias]
            name = gen.typo(rng.choice(aliases)) or rng.choice(aliases)
        else:  # weak_alias_support: strong name declared, weak alias listed too
            name = gen.typo(primary) or primary
        if not name:
            return None
        return query_of(gen.style(name), party, gen), party

    if why in ("legal_form", "company_typo", "company_transliteration", "concatenation"):
        culture = "ru" if why == "company_transliteration" else None
        co = gen.company(culture)
        if why == "company_transliteration":
            co["sector"] = None  # sector words are English; the Cyrillic listing carries the brand only
        party = gen.party_doc(co)
        if why == "legal_form":
            r = rng.random()
            if r < 0.4:
                name = gen.company_name(co, legal=False)
            elif r < 0.7:
                forms = co["legal"][1]
                name = gen.company_name(co, legal_variant=rng.randint(1, max(1, len(forms) - 1)))
            else:
                other = rng.choice(LEGAL_FORMS["en"])
                name = gen.company_name(co, legal=False) + " " + gen.latin(other)
        elif why == "company_typo":
            name = gen.typo(gen.company_name(co, legal=rng.random() < 0.5))
        elif why == "company_transliteration":
            if rng.random() < 0.5:
                party["names"] = [{"name": gen.company_name(co, "original"), "kind": "primary"}]
                name = gen.company_name(co, variant=rng.randint(0, 1), legal_variant=rng.randint(0, 2))
            else:
                name = gen.company_name(co, "original")
        else:
            glued = [b for b in BRANDS[co["culture"]] if len(b[1]) > 1 and " " in b[1][1] + b[1][0]]
            if not glued:
                return None
            co["brand"] = rng.choice(glued)
            co["brand2"] = None
            party = gen.party_doc(co)
            name = gen.company_name(co, variant=1, legal=rng.random() < 0.5)
        if not name or name.lower() == party["names"][0]["name"].lower():
            return None
        return query_of(gen.style(name), party, gen), party

    if why == "vessel":
        v = gen.vessel()
        party = gen.party_doc(v)
        name = gen.vessel_name(v)
        r = rng.random()
        if r < 0.4:
            name = gen.typo(name.title()) or name
        elif r < 0.7:
            name = "MV " + name.title()
        else:
            name = name.replace(" ", "-", 1)
        return query_of(name, party, gen), party

    if why == "aircraft":
        a = gen.aircraft()
        party = gen.party_doc(a)
        r = rng.random()
        tail = a["tail"]
        name = tail.replace("-", " ") if r < 0.5 else f"{a['model']} {tail}"
        return query_of(name, party, gen), party

    if why == "identifier":
        e = rng.choice([gen.person(), gen.company(), gen.vessel()])
        party = gen.party_doc(e)
        if not party["identifiers"]:
            party["identifiers"].append({"type": "passport", "value": gen.passport()})
        ident = party["identifiers"][0]["value"]
        # Declared under a different or garbled name, but with the listed document number.
        other = gen.person() if e["kind"] == "person" else gen.company()
        name = gen.person_name(other) if other["kind"] == "person" else gen.company_name(other)
        q = query_of(name, party, gen)
        q["identifiers"] = [ident.replace(" ", "-").lower() if rng.random() < 0.5 else ident]
        return q, party

    raise ValueError(why)


def distinct_part(gen, pool, part):
    """A different entry of `pool` that is not a spelling variant of `part`."""
    options = [x for x in pool if x != part and not set(x[1]) & set(part[1])]
    return gen.rng.choice(options)


def false_pair(gen, why):
    rng = gen.rng
    if why in ("same_surname", "same_given", "different_patronymic"):
        p = gen.person()
        party = gen.party_doc(p)
        c = CULTURES[p["culture"]]
        other = {**p, "parts": dict(p["parts"])}
        if why == "same_surname":
            pool = c["given_f"] if p["female"] else c["given_m"]
            other["parts"]["given"] = distinct_part(gen, pool, p["parts"]["given"])
        elif why == "same_given":
            other["parts"]["surname"] = distinct_part(gen, c["surname"], p["parts"]["surname"])
        else:
            if "patronymic" not in p["parts"]:
                return None
            other["parts"]["patronymic"] = distinct_part(gen, c["patronymic"], p["parts"]["patronymic"])
        variant = rng.randint(0, 1)
        name = gen.person_name(other, variant=variant)
        return query_of(gen.style(name), party, gen), party

    if why == "company_first_word":
        co = gen.company()
        party = gen.party_doc(co)
        other = dict(co)
        r = rng.random()
        if r < 0.5 or not co["sector"]:
            # Same brand, different second brand word: a different company of the same naming family.
            other["brand2"] = distinct_part(gen, BRANDS[co["culture"]] + BRANDS["en"], co["brand"])
            if co["brand2"] and other["brand2"][1] == co["brand2"][1]:
                return None
        else:
            other["brand2"] = None
            other["brand"] = distinct_part(gen, BRANDS[co["culture"]], co["brand"])
        name = gen.company_name(other, legal=rng.random() < 0.6)
        return query_of(gen.style(name), party, gen), party

    if why == "company_other_sector":
        co = gen.company()
        if not co["sector"]:
            return None
        party = gen.party_doc(co)
        other = dict(co)
        other["sector"] = rng.choice([s for s in SECTORS if s != co["sector"]])
        other["brand2"] = distinct_part(gen, BRANDS["en"], co["brand"]) if rng.random() < 0.5 else None
        name = gen.company_name(other, legal=rng.random() < 0.6)
        return query_of(gen.style(name), party, gen), party

    if why == "vessel_lookalike":
        v = gen.vessel()
        party = gen.party_doc(v)
        other = dict(v, words=list(v["words"]))
        r = rng.random()
        if r < 0.45:
            other["words"][1] = rng.choice([w for w in VESSEL_WORDS_B if w != v["words"][1] and w != v["words"][0]])
        elif r < 0.8:
            other["words"][0] = rng.choice([w for w in VESSEL_WORDS_A if w != v["words"][0] and w != v["words"][1]])
        else:
            # Sister ships differ by their number only.
            number = v["number"] or "1"
            party["names"][0]["name"] = gen.vessel_name(dict(v, number=number))
            other["number"] = str(int(number) % 9 + 1)
        name = gen.vessel_name(other)
        return query_of(name, party, gen), party

    if why == "aircraft_lookalike":
        a = gen.aircraft()
        party = gen.party_doc(a)
        other = gen.aircraft()
        if other["tail"][3:] == a["tail"][3:]:
            return None
        other["model"] = a["model"]
        return query_of(f"{other['model']} {other['tail']}", party, gen), party

    if why == "weak_alias_only":
        p = gen.person("ar")
        weak = "Abu " + gen.latin(gen.zipf(CULTURES["ar"]["given_m"]))
        party = gen.party_doc(p, weak)
        return query_of(weak, party, gen), party

    raise ValueError(why)


TRUE_MIX = [("typo", 110), ("double_typo", 30), ("reorder", 60), ("partial_reorder", 30), ("initials", 30),
            ("transliteration", 110), ("diacritics", 30), ("alias", 30), ("weak_alias_support", 15),
            ("legal_form", 60), ("company_typo", 40), ("company_transliteration", 30), ("concatenation", 15),
            ("vessel", 30), ("aircraft", 15), ("identifier", 25)]
FALSE_MIX = [("same_surname", 150), ("same_given", 110), ("different_patronymic", 40), ("company_first_word", 120),
             ("company_other_sector", 70), ("vessel_lookalike", 90), ("aircraft_lookalike", 15),
             ("weak_alias_only", 25)]


def main():
    gen = Gen(SEED)
    rows = []
    for label, mix, make in [(True, TRUE_MIX, true_pair), (False, FALSE_MIX, false_pair)]:
        for why, count in mix:
            made = 0
            attempts = 0
            while made < count and attempts < count * 20:
                attempts += 1
                pair = make(gen, why)
                if pair is None:
                    continue
                query, party = pair
                rows.append({"query": query, "party": party, "match": label, "why": why})
                made += 1
    out = sys.stdout
    for row in rows:
        out.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


if __name__ == "__main__":
    main()
