"""Word lists for people, companies, places and products (transliterated Russian names)."""

from __future__ import annotations

MALE_FIRST = ("Alexander", "Dmitry", "Maxim", "Sergey", "Andrey", "Alexey", "Artem", "Ilya",
              "Kirill", "Mikhail", "Nikita", "Matvey", "Roman", "Egor", "Arseny", "Ivan",
              "Denis", "Evgeny", "Daniil", "Timofey", "Vladislav", "Igor", "Vladimir", "Pavel",
              "Ruslan", "Mark", "Konstantin", "Oleg", "Anton", "Viktor", "Yuri", "Nikolay",
              "Stanislav", "Vadim", "Gleb", "Boris", "Fyodor", "Leonid", "Georgy", "Timur")
FEMALE_FIRST = ("Anastasia", "Maria", "Anna", "Victoria", "Ekaterina", "Natalia", "Elena",
                "Olga", "Tatiana", "Daria", "Polina", "Alina", "Irina", "Ksenia", "Yulia",
                "Svetlana", "Sofia", "Valeria", "Marina", "Kristina", "Veronika", "Alisa",
                "Elizaveta", "Vera", "Galina", "Lyudmila", "Nina", "Inna", "Oksana", "Diana",
                "Milana", "Arina", "Larisa", "Zhanna", "Yana", "Eva", "Nadezhda", "Raisa",
                "Lidia", "Ulyana")
# Surnames as (male form, female form).
LAST = (("Ivanov", "Ivanova"), ("Smirnov", "Smirnova"), ("Kuznetsov", "Kuznetsova"),
        ("Popov", "Popova"), ("Vasiliev", "Vasilieva"), ("Petrov", "Petrova"),
        ("Sokolov", "Sokolova"), ("Mikhailov", "Mikhailova"), ("Novikov", "Novikova"),
        ("Fedorov", "Fedorova"), ("Morozov", "Morozova"), ("Volkov", "Volkova"),
        ("Alekseev", "Alekseeva"), ("Lebedev", "Lebedeva"), ("Semenov", "Semenova"),
        ("Egorov", "Egorova"), ("Pavlov", "Pavlova"), ("Kozlov", "Kozlova"),
        ("Stepanov", "Stepanova"), ("Nikolaev", "Nikolaeva"), ("Orlov", "Orlova"),
        ("Andreev", "Andreeva"), ("Makarov", "Makarova"), ("Nikitin", "Nikitina"),
        ("Zakharov", "Zakharova"), ("Zaitsev", "Zaitseva"), ("Soloviev", "Solovieva"),
        ("Borisov", "Borisova"), ("Yakovlev", "Yakovleva"), ("Grigoriev", "Grigorieva"),
        ("Romanov", "Romanova"), ("Vorobiev", "Vorobieva"), ("Sergeev", "Sergeeva"),
        ("Kuzmin", "Kuzmina"), ("Frolov", "Frolova"), ("Alexandrov", "Alexandrova"),
        ("Dmitriev", "Dmitrieva"), ("Korolev", "Koroleva"), ("Gusev", "Guseva"),
        ("Kiselev", "Kiseleva"), ("Ilyin", "Ilyina"), ("Maksimov", "Maksimova"),
        ("Polyakov", "Polyakova"), ("Sorokin", "Sorokina"), ("Vinogradov", "Vinogradova"),
        ("Kovalev", "Kovaleva"), ("Belov", "Belova"), ("Medvedev", "Medvedeva"),
        ("Antonov", "Antonova"), ("Tarasov", "Tarasova"), ("Zhukov", "Zhukova"),
        ("Baranov", "Baranova"), ("Filippov", "Filippova"), ("Komarov", "Komarova"),
        ("Davydov", "Davydova"), ("Belyaev", "Belyaeva"), ("Gerasimov", "Gerasimova"),
        ("Bogdanov", "Bogdanova"), ("Osipov", "Osipova"), ("Sidorov", "Sidorova"))
MALE_PATRONYMIC = ("Alexandrovich", "Sergeevich", "Dmitrievich", "Andreevich", "Ivanovich",
                   "Mikhailovich", "Vladimirovich", "Nikolaevich", "Petrovich", "Olegovich")
FEMALE_PATRONYMIC = ("Alexandrovna", "Sergeevna", "Dmitrievna", "Andreevna", "Ivanovna",
                     "Mikhailovna", "Vladimirovna", "Nikolaevna", "Petrovna", "Olegovna")

CITIES = ("Moscow", "Moscow", "Moscow", "Khimki", "Krasnogorsk", "Mytishchi", "Balashikha",
          "Podolsk", "Lyubertsy", "Odintsovo", "Korolev", "Dolgoprudny", "Reutov",
          "Saint Petersburg")
STREETS = ("Leningradsky prospekt", "Tverskaya ulitsa", "Profsoyuznaya ulitsa", "Mira prospekt",
           "Lenina ulitsa", "Sadovaya ulitsa", "Gagarina ulitsa", "Molodezhnaya ulitsa",
           "Tsentralnaya ulitsa", "Shkolnaya ulitsa", "Lesnaya ulitsa", "Sovetskaya ulitsa",
           "Vernadskogo prospekt", "Kutuzovsky prospekt", "Varshavskoe shosse")
EMAIL_DOMAINS = ("mail.ru", "yandex.ru", "gmail.com", "bk.ru", "inbox.ru", "list.ru", "ya.ru",
                 "rambler.ru", "outlook.com")
COMPANY_WORDS = ("Alfa", "Vector", "Stroy", "Invest", "Trade", "Service", "Group", "Prom",
                 "Tekh", "Nord", "Yug", "Vostok", "Zapad", "Garant", "Resurs", "Standart",
                 "Optima", "Profi", "Lider", "Partner", "Kapital", "Region", "Sfera", "Format",
                 "Delta", "Sigma", "Orion", "Atlant", "Meridian", "Horizont")
COMPANY_FORMS = ("LLC", "LLC", "LLC", "JSC", "PJSC", "IE")
POSITIONS = ("Director", "Office manager", "Procurement manager", "Chief accountant",
             "Head of administration", "Owner", "Designer", "Architect", None, None, None)
