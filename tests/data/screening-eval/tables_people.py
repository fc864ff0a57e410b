"""Name tables for persons, by naming culture.

Cyrillic names are stored in Cyrillic and romanised by `translit.py`; Chinese names as
(hanzi, pinyin, Wade-Giles); Korean as (hangul, McCune-Reischauer style, Revised style);
other cultures as (original script or None, [romanisations, most common first]).
"""

# --- Russian: (given, patronymic stem); patronymic = stem + "ич" / stem + "на" -----------
RU_MALE = [
    ("Александр", "Александров"), ("Алексей", "Алексеев"), ("Анатолий", "Анатольев"),
    ("Андрей", "Андреев"), ("Антон", "Антонов"), ("Аркадий", "Аркадьев"),
    ("Артём", "Артёмов"), ("Борис", "Борисов"), ("Вадим", "Вадимов"),
    ("Валентин", "Валентинов"), ("Валерий", "Валерьев"), ("Василий", "Васильев"),
    ("Виктор", "Викторов"), ("Виталий", "Витальев"), ("Владимир", "Владимиров"),
    ("Владислав", "Владиславов"), ("Вячеслав", "Вячеславов"), ("Геннадий", "Геннадьев"),
    ("Георгий", "Георгиев"), ("Глеб", "Глебов"), ("Григорий", "Григорьев"),
    ("Денис", "Денисов"), ("Дмитрий", "Дмитриев"), ("Евгений", "Евгеньев"),
    ("Егор", "Егоров"), ("Иван", "Иванов"), ("Игорь", "Игорев"), ("Кирилл", "Кириллов"),
    ("Константин", "Константинов"), ("Леонид", "Леонидов"), ("Максим", "Максимов"),
    ("Михаил", "Михайлов"), ("Николай", "Николаев"), ("Олег", "Олегов"),
    ("Павел", "Павлов"), ("Пётр", "Петров"), ("Роман", "Романов"), ("Руслан", "Русланов"),
    ("Сергей", "Сергеев"), ("Станислав", "Станиславов"), ("Степан", "Степанов"),
    ("Тимур", "Тимуров"), ("Фёдор", "Фёдоров"), ("Юрий", "Юрьев"), ("Ярослав", "Ярославов"),
    ("Эдуард", "Эдуардов"), ("Рустам", "Рустамов"), ("Вениамин", "Вениаминов"),
    ("Аркадий", "Аркадьев"), ("Ильдар", "Ильдаров"),
]
RU_FEMALE = [
    "Анна", "Елена", "Ольга", "Наталья", "Татьяна", "Ирина", "Светлана", "Мария",
    "Екатерина", "Юлия", "Марина", "Галина", "Людмила", "Оксана", "Валентина", "Виктория",
    "Евгения", "Ксения", "Надежда", "Алёна", "Дарья", "Анастасия", "Вера", "Лариса",
]
RU_SURNAMES = """Иванов Смирнов Кузнецов Попов Васильев Петров Соколов Михайлов Новиков Фёдоров
Морозов Волков Алексеев Лебедев Семёнов Егоров Павлов Козлов Степанов Николаев Орлов Андреев
Макаров Никитин Захаров Зайцев Соловьёв Борисов Яковлев Григорьев Романов Воробьёв Сергеев
Кузьмин Фролов Александров Дмитриев Королёв Гусев Киселёв Ильин Максимов Поляков Сорокин
Виноградов Ковалёв Белов Медведев Антонов Тарасов Жуков Баранов Филиппов Комаров Давыдов
Беляев Герасимов Богданов Осипов Сидоров Матвеев Титов Марков Миронов Крылов Куликов Карпов
Власов Мельников Денисов Гаврилов Тихонов Казаков Афанасьев Данилов Савельев Тимофеев Фомин
Чернов Абрамов Мартынов Ефимов Федотов Щербаков Назаров Калинин Исаев Чернышёв Быков Маслов
Родионов Коновалов Лазарев Воронин Климов Филатов Пономарёв Голубев Кудрявцев Прохоров Наумов
Потапов Журавлёв Овчинников Трофимов Леонов Соболев Ермаков Колесников Гончаров Емельянов
Никифоров Грачёв Котов Гришин Ефремов Архипов Громов Кириллов Малышев Панов Моисеев Румянцев
Акимов Кондратьев Бирюков Горбунов Анисимов Тихомиров Галкин Лукьянов Михеев Скворцов Юдин
Белоусов Нестеров Симонов Прокофьев Харитонов Князев Цветков Левин Митрофанов Воронцов Рябов
Демидов Шестаков Шубин Сысоев Шевцов Мухин Горшков Селезнёв Панфилов Копылов Ширяев Евдокимов
Зуев Русаков Рожков Лапин Завьялов Кравцов Дорофеев Вишневский Покровский Успенский Троицкий
Соколовский Жуковский Высоцкий Белецкий Малиновский Черных Седых Толстой Ростовцев Чемезов
Ротенберг Тимченко Дерипаска Вексельберг Усманов Сечин Греф Костин Шувалов Патрушев Бортников
Нарышкин Лавров Шойгу Рогозин Мантуров Чубайс Шохин Абрамович Потанин Мордашов Алекперов""".split()

# --- Ukrainian: (given, male patronymic) ----------------------------------------------
UK_MALE = [
    ("Олександр", "Олександрович"), ("Андрій", "Андрійович"), ("Сергій", "Сергійович"),
    ("Володимир", "Володимирович"), ("Віктор", "Вікторович"), ("Юрій", "Юрійович"),
    ("Олег", "Олегович"), ("Петро", "Петрович"), ("Іван", "Іванович"),
    ("Микола", "Миколайович"), ("Василь", "Васильович"), ("Дмитро", "Дмитрович"),
    ("Віталій", "Віталійович"), ("Ігор", "Ігорович"), ("Павло", "Павлович"),
    ("Михайло", "Михайлович"), ("Тарас", "Тарасович"), ("Богдан", "Богданович"),
    ("Вадим", "Вадимович"), ("Анатолій", "Анатолійович"), ("Валерій", "Валерійович"),
    ("Євген", "Євгенович"), ("Олексій", "Олексійович"), ("Ярослав", "Ярославович"),
    ("Григорій", "Григорович"), ("Роман", "Романович"), ("Степан", "Степанович"),
    ("Костянтин", "Костянтинович"), ("Геннадій", "Геннадійович"), ("Руслан", "Русланович"),
]
UK_FEMALE = ["Олена", "Ольга", "Наталія", "Тетяна", "Ірина", "Оксана", "Юлія", "Людмила",
             "Світлана", "Галина", "Марія", "Катерина", "Вікторія", "Ганна", "Надія"]
UK_SURNAMES = """Шевченко Коваленко Бондаренко Ткаченко Кравченко Олійник Шевчук Поліщук Бойко
Мельник Коваль Лисенко Марченко Руденко Савченко Петренко Клименко Павленко Мороз Кравчук
Іваненко Харченко Левченко Карпенко Гончаренко Литвиненко Романенко Зінченко Мазур Федоренко
Тимошенко Костенко Гриценко Данилюк Симоненко Приходько Мартинюк Гнатюк Кузьменко Пономаренко
Власенко Сидоренко Яковенко Остапенко Дорошенко Захарченко Мирошниченко Головко Мельничук
Онищенко Козак Кушнір Гуменюк Медведчук Ковальський Яворський Вишневський Єременко Зубенко
Гетьманенко Щербина Юрченко Жук Лук'яненко Ярошенко Тищенко Стеценко Кириленко""".split()

# --- Belarusian: (given, male patronymic) ---------------------------------------------
BE_MALE = [
    ("Аляксандр", "Аляксандравіч"), ("Сяргей", "Сяргеевіч"), ("Уладзімір", "Уладзіміравіч"),
    ("Віктар", "Віктаравіч"), ("Мікалай", "Мікалаевіч"), ("Андрэй", "Андрэевіч"),
    ("Дзмітрый", "Дзмітрыевіч"), ("Павел", "Паўлавіч"), ("Юрый", "Юр'евіч"),
    ("Васіль", "Васілевіч"), ("Ігар", "Ігаравіч"), ("Алег", "Алегавіч"),
    ("Генадзь", "Генадзевіч"), ("Пётр", "Пятровіч"), ("Іван", "Іванавіч"),
    ("Рыгор", "Рыгоравіч"), ("Леанід", "Леанідавіч"), ("Анатоль", "Анатольевіч"),
]
BE_FEMALE = ["Алена", "Вольга", "Наталля", "Таццяна", "Ірына", "Святлана", "Марыя",
             "Галіна", "Людміла", "Вераніка"]
BE_SURNAMES = """Лукашэнка Шэйман Макей Латушка Карпенка Навуменка Кавалёў Новікаў Мароз
Шумчанка Петрашэвіч Кузняцоў Багдановіч Караткевіч Мікалаеў Ярашэвіч Кароль Бялоў Сідарэнка
Клімовіч Тарасевіч Марціновіч Жук Мельнікаў Грыб Казлоў Паўлоў Ціханаў Сямёнаў Зайцаў
Вайтовіч Русакевіч Шпакоўскі Вольскі Гайдукевіч Лабовіч Сянкевіч Пракапенка Гурыновіч""".split()

# --- Chinese: surnames and given-name syllables (hanzi, pinyin, Wade-Giles) -------------
ZH_SURNAMES = [
    ("王", "Wang", "Wang"), ("李", "Li", "Li"), ("张", "Zhang", "Chang"), ("刘", "Liu", "Liu"),
    ("陈", "Chen", "Chen"), ("杨", "Yang", "Yang"), ("黄", "Huang", "Huang"),
    ("赵", "Zhao", "Chao"), ("吴", "Wu", "Wu"), ("周", "Zhou", "Chou"), ("徐", "Xu", "Hsu"),
    ("孙", "Sun", "Sun"), ("马", "Ma", "Ma"), ("朱", "Zhu", "Chu"), ("胡", "Hu", "Hu"),
    ("郭", "Guo", "Kuo"), ("何", "He", "Ho"), ("高", "Gao", "Kao"), ("林", "Lin", "Lin"),
    ("罗", "Luo", "Lo"), ("郑", "Zheng", "Cheng"), ("梁", "Liang", "Liang"),
    ("谢", "Xie", "Hsieh"), ("宋", "Song", "Sung"), ("唐", "Tang", "Tang"), ("韩", "Han", "Han"),
    ("冯", "Feng", "Feng"), ("邓", "Deng", "Teng"), ("曹", "Cao", "Tsao"), ("彭", "Peng", "Peng"),
    ("曾", "Zeng", "Tseng"), ("肖", "Xiao", "Hsiao"), ("田", "Tian", "Tien"),
    ("董", "Dong", "Tung"), ("袁", "Yuan", "Yuan"), ("潘", "Pan", "Pan"), ("蒋", "Jiang", "Chiang"),
    ("蔡", "Cai", "Tsai"), ("杜", "Du", "Tu"), ("叶", "Ye", "Yeh"), ("魏", "Wei", "Wei"),
    ("苏", "Su", "Su"), ("丁", "Ding", "Ting"), ("任", "Ren", "Jen"),
    ("沈", "Shen", "Shen"), ("姚", "Yao", "Yao"), ("卢", "Lu", "Lu"), ("傅", "Fu", "Fu"),
    ("钟", "Zhong", "Chung"), ("崔", "Cui", "Tsui"),
    ("谭", "Tan", "Tan"), ("廖", "Liao", "Liao"), ("范", "Fan", "Fan"),
    ("金", "Jin", "Chin"), ("石", "Shi", "Shih"), ("贾", "Jia", "Chia"),
    ("方", "Fang", "Fang"), ("邹", "Zou", "Tsou"), ("熊", "Xiong", "Hsiung"),
    ("孟", "Meng", "Meng"), ("白", "Bai", "Pai"),
]
ZH_GIVEN = [
    ("伟", "wei", "wei"), ("明", "ming", "ming"), ("华", "hua", "hua"), ("建", "jian", "chien"),
    ("国", "guo", "kuo"), ("军", "jun", "chun"), ("平", "ping", "ping"), ("强", "qiang", "chiang"),
    ("立", "li", "li"), ("文", "wen", "wen"), ("杰", "jie", "chieh"), ("涛", "tao", "tao"),
    ("斌", "bin", "pin"), ("海", "hai", "hai"), ("东", "dong", "tung"), ("志", "zhi", "chih"),
    ("勇", "yong", "yung"), ("新", "xin", "hsin"), ("晓", "xiao", "hsiao"), ("红", "hong", "hung"),
    ("玲", "ling", "ling"), ("静", "jing", "ching"), ("燕", "yan", "yen"), ("芳", "fang", "fang"),
    ("敏", "min", "min"), ("霞", "xia", "hsia"), ("秀", "xiu", "hsiu"), ("英", "ying", "ying"),
    ("慧", "hui", "hui"), ("婷", "ting", "ting"), ("雪", "xue", "hsueh"), ("梅", "mei", "mei"),
    ("云", "yun", "yun"), ("峰", "feng", "feng"), ("磊", "lei", "lei"), ("鹏", "peng", "peng"),
    ("飞", "fei", "fei"), ("宇", "yu", "yu"), ("浩", "hao", "hao"), ("凯", "kai", "kai"),
    ("博", "bo", "po"), ("刚", "gang", "kang"), ("成", "cheng", "cheng"), ("龙", "long", "lung"),
    ("德", "de", "te"), ("荣", "rong", "jung"), ("庆", "qing", "ching"), ("春", "chun", "chun"),
    ("忠", "zhong", "chung"), ("义", "yi", "i"), ("光", "guang", "kuang"), ("天", "tian", "tien"),
    ("福", "fu", "fu"), ("山", "shan", "shan"), ("瑞", "rui", "jui"), ("安", "an", "an"),
    ("家", "jia", "chia"), ("泽", "ze", "tse"), ("振", "zhen", "chen"), ("世", "shi", "shih"),
    ("思", "si", "ssu"), ("桂", "gui", "kuei"), ("兰", "lan", "lan"), ("良", "liang", "liang"),
    ("昌", "chang", "chang"), ("松", "song", "sung"), ("超", "chao", "chao"), ("帆", "fan", "fan"),
    ("阳", "yang", "yang"), ("林", "lin", "lin"), ("宁", "ning", "ning"), ("彪", "biao", "piao"),
    ("坤", "kun", "kun"), ("航", "hang", "hang"), ("舟", "zhou", "chou"), ("武", "wu", "wu"),
    ("雄", "xiong", "hsiung"), ("恒", "heng", "heng"), ("楠", "nan", "nan"), ("琦", "qi", "chi"),
    ("璐", "lu", "lu"), ("倩", "qian", "chien"), ("晗", "han", "han"), ("娜", "na", "na"),
    ("悦", "yue", "yueh"), ("彤", "tong", "tung"), ("树", "shu", "shu"), ("生", "sheng", "sheng"),
    ("泉", "quan", "chuan"), ("兴", "xing", "hsing"), ("万", "wan", "wan"), ("仁", "ren", "jen"),
    ("旭", "xu", "hsu"), ("耀", "yao", "yao"), ("培", "pei", "pei"), ("祥", "xiang", "hsiang"),
    ("宝", "bao", "pao"), ("发", "fa", "fa"), ("达", "da", "ta"), ("秋", "qiu", "chiu"),
    ("鹤", "he", "ho"), ("伦", "lun", "lun"), ("寅", "yin", "yin"), ("晨", "chen", "chen"),
    ("金", "jin", "chin"),
]

# --- Korean: surnames and given syllables (hangul, MR style, Revised style) ------------
KO_SURNAMES = [
    ("김", "Kim", "Kim"), ("리", "Ri", "Lee"), ("박", "Pak", "Park"), ("최", "Choe", "Choi"),
    ("정", "Jong", "Jeong"), ("강", "Kang", "Gang"), ("조", "Jo", "Cho"), ("윤", "Yun", "Yoon"),
    ("장", "Jang", "Jang"), ("한", "Han", "Han"), ("오", "O", "Oh"), ("서", "So", "Seo"),
    ("신", "Sin", "Shin"), ("권", "Kwon", "Gwon"), ("황", "Hwang", "Hwang"), ("안", "An", "Ahn"),
    ("송", "Song", "Song"), ("전", "Jon", "Jeon"), ("홍", "Hong", "Hong"), ("주", "Ju", "Joo"),
    ("문", "Mun", "Moon"), ("양", "Yang", "Yang"), ("배", "Pae", "Bae"), ("백", "Paek", "Baek"),
    ("허", "Ho", "Heo"), ("남", "Nam", "Nam"), ("심", "Sim", "Shim"), ("로", "Ro", "Noh"),
    ("차", "Cha", "Cha"), ("곽", "Kwak", "Gwak"), ("류", "Ryu", "Ryoo"),
]
KO_GIVEN = [
    ("철", "Chol", "Cheol"), ("영", "Yong", "Yeong"), ("일", "Il", "Il"), ("남", "Nam", "Nam"),
    ("수", "Su", "Soo"), ("성", "Song", "Seong"), ("혁", "Hyok", "Hyeok"), ("호", "Ho", "Ho"),
    ("민", "Min", "Min"), ("진", "Jin", "Jin"), ("광", "Kwang", "Gwang"), ("명", "Myong", "Myeong"),
    ("국", "Kuk", "Guk"), ("은", "Un", "Eun"), ("혜", "Hye", "Hye"), ("경", "Kyong", "Gyeong"),
    ("룡", "Ryong", "Ryong"), ("학", "Hak", "Hak"), ("준", "Jun", "Jun"), ("현", "Hyon", "Hyeon"),
    ("동", "Tong", "Dong"), ("석", "Sok", "Seok"), ("우", "U", "Woo"), ("훈", "Hun", "Hoon"),
    ("덕", "Tok", "Deok"), ("상", "Sang", "Sang"), ("태", "Thae", "Tae"), ("원", "Won", "Won"),
    ("세", "Se", "Se"), ("희", "Hui", "Hee"), ("춘", "Chun", "Chun"), ("옥", "Ok", "Ok"),
    ("순", "Sun", "Soon"), ("기", "Ki", "Gi"), ("복", "Pok", "Bok"), ("식", "Sik", "Sik"),
    ("근", "Kun", "Geun"), ("봉", "Pong", "Bong"), ("만", "Man", "Man"), ("창", "Chang", "Chang"),
    ("길", "Kil", "Gil"), ("삼", "Sam", "Sam"), ("연", "Yon", "Yeon"), ("향", "Hyang", "Hyang"),
    ("미", "Mi", "Mi"), ("화", "Hwa", "Hwa"), ("림", "Rim", "Rim"),
]

# --- Arabic: (script, [romanisations]) ------------------------------------------------
AR_MALE = [
    ("محمد", ["Mohammed", "Muhammad", "Mohamed", "Mohammad", "Muhammed"]),
    ("أحمد", ["Ahmed", "Ahmad"]), ("علي", ["Ali"]), ("حسن", ["Hassan", "Hasan"]),
    ("حسين", ["Hussein", "Hussain", "Husayn", "Hussien"]), ("خالد", ["Khaled", "Khalid"]),
    ("عمر", ["Omar", "Umar"]), ("يوسف", ["Youssef", "Yusuf", "Yousef"]),
    ("إبراهيم", ["Ibrahim", "Ebrahim"]), ("عبدالله", ["Abdullah", "Abdallah", "Abdulla"]),
    ("عبد الرحمن", ["Abdul Rahman", "Abdulrahman", "Abd al-Rahman", "Abdelrahman"]),
    ("عبد العزيز", ["Abdulaziz", "Abdul Aziz", "Abd al-Aziz", "Abdelaziz"]),
    ("عبد الكريم", ["Abdul Karim", "Abdulkarim", "Abd al-Karim", "Abdelkarim"]),
    ("سعيد", ["Saeed", "Said", "Saied"]), ("مصطفى", ["Mustafa", "Mostafa", "Moustafa"]),
    ("محمود", ["Mahmoud", "Mahmud", "Mahmood"]), ("فيصل", ["Faisal", "Faysal"]),
    ("ماجد", ["Majed", "Majid"]), ("طارق", ["Tariq", "Tarek", "Tareq"]),
    ("سامي", ["Sami", "Samy"]), ("وليد", ["Walid", "Waleed"]), ("جمال", ["Jamal", "Gamal"]),
    ("ناصر", ["Nasser", "Nasir", "Naser"]), ("عادل", ["Adel", "Adil"]),
    ("كريم", ["Karim", "Kareem"]), ("حمزة", ["Hamza", "Hamzah"]),
    ("زياد", ["Ziad", "Ziyad", "Zeyad"]), ("رامي", ["Rami", "Ramy"]),
    ("باسل", ["Bassel", "Basil"]), ("عماد", ["Imad", "Emad"]), ("هشام", ["Hisham", "Hesham"]),
    ("أسامة", ["Osama", "Usama", "Oussama"]), ("سليمان", ["Suleiman", "Sulaiman", "Soliman"]),
    ("جعفر", ["Jaafar", "Jafar", "Ja'far"]), ("قاسم", ["Qasim", "Kassem", "Qassem"]),
    ("منصور", ["Mansour", "Mansur"]), ("راشد", ["Rashid", "Rashed", "Rasheed"]),
    ("صالح", ["Saleh", "Salih"]), ("عثمان", ["Othman", "Osman", "Uthman"]),
    ("نبيل", ["Nabil", "Nabeel"]), ("فؤاد", ["Fouad", "Fuad"]), ("أنور", ["Anwar", "Anouar"]),
    ("هاني", ["Hani", "Hany"]), ("بشار", ["Bashar", "Bachar"]), ("مازن", ["Mazen", "Mazin"]),
]
AR_FEMALE = [
    ("فاطمة", ["Fatima", "Fatma", "Fatimah"]), ("عائشة", ["Aisha", "Aysha", "Aicha"]),
    ("مريم", ["Maryam", "Mariam"]), ("ليلى", ["Layla", "Leila", "Laila"]),
    ("نور", ["Nour", "Noor"]), ("زينب", ["Zainab", "Zeinab"]), ("هدى", ["Huda", "Houda"]),
    ("رنا", ["Rana"]), ("سميرة", ["Samira", "Sameera"]), ("أسماء", ["Asma", "Asmaa"]),
]
AR_FAMILY = [
    ("الخطيب", ["Al-Khatib", "Al Khatib", "Al-Khateeb", "El-Khatib"]),
    ("الحسيني", ["Al-Husseini", "Al Husseini", "Al-Husaini"]),
    ("الشامي", ["Al-Shami", "Al Shami", "Ash-Shami"]),
    ("المصري", ["Al-Masri", "Al Masri", "El-Masry"]),
    ("الحلبي", ["Al-Halabi", "Al Halabi", "Al-Halaby"]),
    ("الزعبي", ["Al-Zoubi", "Al Zoubi", "Al-Zubi"]),
    ("التميمي", ["Al-Tamimi", "Al Tamimi", "At-Tamimi"]),
    ("الدوري", ["Al-Douri", "Al Douri", "Al-Duri"]),
    ("الجبوري", ["Al-Jubouri", "Al Jubouri", "Al-Jaburi"]),
    ("العبيدي", ["Al-Obeidi", "Al Obaidi", "Al-Ubaydi"]),
    ("الكبيسي", ["Al-Kubaisi", "Al Kubaisi", "Al-Kubaysi"]),
    ("الهاشمي", ["Al-Hashimi", "Al Hashemi", "Al-Hashemi"]),
    ("الراوي", ["Al-Rawi", "Al Rawi", "Ar-Rawi"]),
    ("العاني", ["Al-Ani", "Al Ani"]), ("الساعدي", ["Al-Saadi", "Al Saadi", "As-Sa'di"]),
    ("الشمري", ["Al-Shammari", "Al Shammari", "Al-Shamari"]),
    ("القحطاني", ["Al-Qahtani", "Al Qahtani", "Al-Kahtani"]),
    ("الغامدي", ["Al-Ghamdi", "Al Ghamdi", "Al-Ghamidi"]),
    ("العتيبي", ["Al-Otaibi", "Al Otaibi", "Al-Utaybi"]),
    ("المهيري", ["Al-Muhairi", "Al Muhairi", "Al-Mheiri"]),
    ("الكعبي", ["Al-Kaabi", "Al Kaabi", "Al-Ka'bi"]),
    ("البدري", ["Al-Badri", "Al Badri"]), ("الأسد", ["Al-Assad", "Al Assad", "Al-Asad"]),
    ("حداد", ["Haddad", "Hadad"]), ("خوري", ["Khoury", "Khouri", "Khuri"]),
    ("ناصيف", ["Nassif", "Nasif"]), ("شحادة", ["Shehadeh", "Shahada", "Chehade"]),
    ("مخلوف", ["Makhlouf", "Makhluf"]), ("سلامة", ["Salameh", "Salama"]),
    ("عيسى", ["Issa", "Eissa", "Isa"]), ("يونس", ["Younes", "Younis", "Yunus"]),
    ("حمدان", ["Hamdan"]), ("درويش", ["Darwish", "Darweesh"]), ("قباني", ["Kabbani", "Qabbani"]),
    ("فرحات", ["Farhat", "Farhad"]), ("نصرالله", ["Nasrallah", "Nasrullah"]),
    ("جابر", ["Jaber", "Jabir"]), ("زيدان", ["Zeidan", "Zaidan"]), ("عواد", ["Awad", "Awwad"]),
    ("بركات", ["Barakat"]), ("طلاس", ["Tlass", "Talas"]), ("شاليش", ["Shalish", "Chalish"]),
    ("فياض", ["Fayyad", "Fayad"]), ("ياسين", ["Yassin", "Yasin"]), ("صباغ", ["Sabbagh", "Sabagh"]),
]

# --- Persian ----------------------------------------------------------------------------
FA_MALE = [
    ("علی", ["Ali"]), ("محمد", ["Mohammad", "Mohammed", "Muhammad"]),
    ("حسین", ["Hossein", "Hosein", "Hussein"]), ("حسن", ["Hassan", "Hasan"]),
    ("رضا", ["Reza", "Rida"]), ("مهدی", ["Mehdi", "Mahdi"]),
    ("محمدرضا", ["Mohammad Reza", "Mohammadreza", "Mohammad-Reza"]),
    ("علیرضا", ["Alireza", "Ali Reza", "Ali-Reza"]), ("امیر", ["Amir"]), ("مجید", ["Majid"]),
    ("سعید", ["Saeed", "Saeid", "Said"]), ("مسعود", ["Masoud", "Massoud", "Masud"]),
    ("جواد", ["Javad", "Jawad"]), ("قاسم", ["Ghasem", "Qasem", "Qassem"]), ("حمید", ["Hamid"]),
    ("ابراهیم", ["Ebrahim", "Ibrahim"]), ("اکبر", ["Akbar"]), ("جعفر", ["Jafar", "Ja'far"]),
    ("کاظم", ["Kazem", "Kazim"]), ("ناصر", ["Naser", "Nasser"]), ("محسن", ["Mohsen", "Mohsin"]),
    ("مصطفی", ["Mostafa", "Mustafa"]), ("مرتضی", ["Morteza", "Murtaza"]), ("عباس", ["Abbas"]),
    ("یوسف", ["Yousef", "Yusuf", "Yousof"]), ("بهروز", ["Behrouz", "Behruz"]),
    ("داوود", ["Davoud", "Davood", "Davud"]), ("فرهاد", ["Farhad"]),
    ("رسول", ["Rasoul", "Rasool", "Rasul"]), ("صادق", ["Sadegh", "Sadeq"]),
    ("غلامرضا", ["Gholamreza", "Gholam Reza", "Gholam-Reza"]),
    ("حمیدرضا", ["Hamidreza", "Hamid Reza", "Hamid-Reza"]), ("بهزاد", ["Behzad"]),
    ("سید", ["Seyed", "Sayed", "Seyyed"]), ("پرویز", ["Parviz", "Parvis"]),
    ("منصور", ["Mansour", "Mansur"]), ("هادی", ["Hadi"]), ("نادر", ["Nader", "Nadir"]),
]
FA_FEMALE = [
    ("فاطمه", ["Fatemeh", "Fatemah", "Fatima"]), ("مریم", ["Maryam", "Mariam"]),
    ("زهرا", ["Zahra"]), ("لیلا", ["Leila", "Layla"]), ("نسرین", ["Nasrin", "Nasreen"]),
    ("شیرین", ["Shirin", "Shireen"]), ("مینا", ["Mina"]), ("سمیرا", ["Samira"]),
]
FA_SURNAMES = [
    ("رحیمی", ["Rahimi"]), ("احمدی", ["Ahmadi"]), ("حسینی", ["Hosseini", "Hoseini", "Husseini"]),
    ("محمدی", ["Mohammadi", "Mohammadie", "Muhammadi"]), ("رضایی", ["Rezaei", "Rezaee", "Rezai"]),
    ("کریمی", ["Karimi"]), ("مرادی", ["Moradi", "Muradi"]), ("جعفری", ["Jafari", "Jafary"]),
    ("قاسمی", ["Ghasemi", "Qasemi"]), ("صادقی", ["Sadeghi", "Sadeqi"]),
    ("حیدری", ["Heidari", "Heydari", "Haidari"]), ("رستمی", ["Rostami", "Rustami"]),
    ("سلیمانی", ["Soleimani", "Soleymani", "Suleimani"]), ("عباسی", ["Abbasi"]),
    ("نجفی", ["Najafi"]), ("نصیری", ["Nasiri", "Nassiri"]), ("شیرازی", ["Shirazi"]),
    ("تهرانی", ["Tehrani"]), ("اصفهانی", ["Esfahani", "Isfahani"]),
    ("قربانی", ["Ghorbani", "Qorbani"]), ("علوی", ["Alavi"]), ("باقری", ["Bagheri", "Baqeri"]),
    ("موسوی", ["Mousavi", "Musavi", "Moosavi"]), ("کاظمی", ["Kazemi", "Kazimi"]),
    ("اسدی", ["Asadi"]), ("صالحی", ["Salehi"]), ("صفوی", ["Safavi"]),
    ("میرزایی", ["Mirzaei", "Mirzaee"]), ("یزدانی", ["Yazdani"]), ("زمانی", ["Zamani"]),
    ("فراهانی", ["Farahani"]), ("طاهری", ["Taheri"]), ("اکبری", ["Akbari"]), ("امینی", ["Amini"]),
    ("رحمانی", ["Rahmani"]), ("خلیلی", ["Khalili"]), ("ابراهیمی", ["Ebrahimi", "Ibrahimi"]),
    ("هاشمی", ["Hashemi", "Hashimi"]), ("نوری", ["Nouri", "Nuri"]), ("شهبازی", ["Shahbazi"]),
    ("رنجبر", ["Ranjbar"]), ("دهقان", ["Dehghan", "Dehqan"]),
    ("فیروزآبادی", ["Firouzabadi", "Firuzabadi"]), ("آشتیانی", ["Ashtiani"]),
    ("ولایتی", ["Velayati"]), ("لاریجانی", ["Larijani"]), ("جلیلی", ["Jalili"]),
    ("وحیدی", ["Vahidi"]), ("نقدی", ["Naqdi", "Naghdi"]), ("شمخانی", ["Shamkhani"]),
    ("قالیباف", ["Ghalibaf", "Qalibaf"]), ("سپهری", ["Sepehri"]), ("کرمانی", ["Kermani"]),
]

# --- Pakistani (romanised only) -------------------------------------------------------
PK_PREFIX = [["Muhammad", "Mohammad", "Mohammed"], ["Syed", "Sayed"], ["Malik"],
             ["Chaudhry", "Chaudhary", "Choudhry"]]
PK_GIVEN = [["Asif"], ["Imran"], ["Tariq", "Tarik"], ["Nadeem", "Nadim"], ["Shahid"], ["Waqar"],
            ["Faisal", "Faysal"], ["Kamran"], ["Rizwan"], ["Usman", "Osman"], ["Bilal"],
            ["Khalid", "Khaled"], ["Saleem", "Salim"], ["Naveed", "Navid"], ["Junaid"], ["Hamid"],
            ["Farooq", "Faruq"], ["Zahid"], ["Sohail", "Suhail"], ["Amjad"], ["Sajid"], ["Irfan"],
            ["Kashif"], ["Adnan"], ["Arshad"], ["Pervez", "Parvez"], ["Mushtaq"], ["Ashfaq"],
            ["Altaf"], ["Zafar", "Zaffar"], ["Javed", "Javaid"], ["Aslam"], ["Akhtar", "Akhter"],
            ["Iqbal"], ["Rehman", "Rahman"], ["Ahmad", "Ahmed"], ["Ali"], ["Hussain", "Husain"]]
PK_SURNAMES = [["Khan"], ["Qureshi", "Qureshy", "Kureshi"], ["Butt", "Bhatt"], ["Malik"],
               ["Sheikh", "Shaikh"], ["Siddiqui", "Siddiqi"], ["Abbasi"], ["Raza"], ["Rizvi"],
               ["Naqvi"], ["Mirza"], ["Baig", "Beg"], ["Chaudhry", "Chaudhary"], ["Awan"],
               ["Bhutto"], ["Gillani", "Gilani"], ["Hashmi", "Hashimi"], ["Khattak"], ["Yousafzai"],
               ["Durrani"], ["Afridi"], ["Janjua"], ["Cheema"], ["Warraich"], ["Tarar"], ["Kiani"]]

# --- Turkish (with diacritics) ----------------------------------------------------------
TR_GIVEN = ["Mehmet", "Mustafa", "Ahmet", "Ali", "Hüseyin", "Hasan", "İbrahim", "İsmail",
            "Osman", "Yusuf", "Murat", "Ömer", "Ramazan", "Halil", "Süleyman", "Abdullah",
            "Mahmut", "Recep", "Kemal", "Serkan", "Emre", "Burak", "Fatih", "Erdoğan", "Çetin",
            "Gökhan", "Özgür", "Şükrü", "Tuğrul", "Ayşe", "Fatma", "Emine", "Hatice", "Zeynep",
            "Elif", "Şerife", "Gülşen"]
TR_SURNAMES = ["Yılmaz", "Kaya", "Demir", "Şahin", "Çelik", "Yıldız", "Yıldırım", "Öztürk",
               "Aydın", "Özdemir", "Arslan", "Doğan", "Kılıç", "Aslan", "Çetin", "Kara", "Koç",
               "Kurt", "Özkan", "Şimşek", "Polat", "Korkmaz", "Karataş", "Erdem", "Güneş",
               "Aksoy", "Bulut", "Keskin", "Ünal", "Güler", "Özer", "Tekin", "Acar", "Aktaş",
               "Sarı", "Başaran", "Uçar", "Gök", "Avcı", "Coşkun", "Eroğlu", "Bozkurt", "Işık"]

# --- Western European / English ---------------------------------------------------------
WE_GIVEN = ["Hans", "Klaus", "Jürgen", "Stefan", "Michael", "Thomas", "Andreas", "Wolfgang",
            "Peter", "Frank", "Markus", "Matthias", "Uwe", "Dieter", "Jean", "Pierre", "Philippe",
            "Michel", "Alain", "François", "Nicolas", "Olivier", "Laurent", "John", "James",
            "Robert", "David", "William", "Richard", "Charles", "Christopher", "Daniel", "Paul",
            "Mark", "Andrew", "Steven", "Kevin", "Brian", "George", "Edward", "Susan", "Karen",
            "Sabine", "Monika", "Claire", "Isabelle", "Elizabeth", "Sarah"]
WE_MIDDLE = ["Michael", "James", "Lee", "Alexander", "Edward", "Paul", "Joseph", "Maria",
             "Anne", "Marie", "Johann", "Friedrich", "Louis", "Thomas", "Henry"]
WE_SURNAMES = """Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Koch
Richter Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Krause
Lehmann Köhler Bauer Jäger Vogel Günther Bernard Dubois Durand Leroy Moreau Lefebvre Fournier
Girard Bonnet Rousseau Lambert Fontaine Chevalier Smith Johnson Williams Brown Jones Miller Davis
Wilson Anderson Taylor Moore Jackson White Harris Clark Lewis Walker Hall Allen Young King Wright
Scott Green Baker Adams Nelson Carter Mitchell Roberts Turner Phillips Campbell Parker Evans
Edwards Collins Stewart Morris Murphy Cook Rogers Morgan Cooper Peterson Reed Bailey Bell Kelly
Howard Ward Cox Richardson Wood Watson Brooks Bennett Gray Hughes Price Foster""".split()

# --- Latin American ---------------------------------------------------------------------
LA_GIVEN = ["José", "Juan", "Luis", "Carlos", "Jorge", "Miguel", "Pedro", "Manuel", "Francisco",
            "Antonio", "Rafael", "Diego", "Fernando", "Ricardo", "Alejandro", "Eduardo", "Javier",
            "Roberto", "Héctor", "Andrés", "Raúl", "Óscar", "Tareck", "Nicolás", "María", "Ana",
            "Carmen", "Rosa", "Gabriela", "Daniela", "Lucía", "Adriana", "Juan Carlos",
            "José Luis", "María José", "Luis Alberto", "Jesús"]
LA_SURNAMES = """García Rodríguez Martínez López González Hernández Pérez Sánchez Ramírez Torres
Flores Rivera Gómez Díaz Cruz Morales Reyes Gutiérrez Ortiz Ramos Chávez Mendoza Ruiz Álvarez
Castillo Jiménez Moreno Romero Herrera Medina Aguilar Vargas Castro Guerrero Rojas Salazar Cabello
Maduro Padrino Saab Pulido Quintero Zambrano Carvajal Urdaneta Velásquez Márquez Arias Bermúdez
Fuentes Villegas Cárdenas Escobar Ochoa Zapata Montoya Lozada Briceño Bracho Zerpa Mejía""".split()

TITLES = {
    "ru": ["General", "Colonel", "Dr.", "Mr."], "uk": ["Mr.", "Dr."], "be": ["General", "Mr."],
    "zh": ["Mr.", "Dr."], "ko": ["General", "Mr."], "ar": ["Sheikh", "Dr.", "Haji", "Mr."],
    "fa": ["Haj", "Dr.", "Sardar", "Mr."], "pk": ["Haji", "Dr.", "Mr."], "tr": ["Dr.", "Mr."],
    "we": ["Dr.", "Mr.", "Prof."], "la": ["Dr.", "Sr.", "General"],
}
