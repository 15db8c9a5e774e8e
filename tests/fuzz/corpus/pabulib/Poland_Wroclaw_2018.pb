META
key;value
description;Municipal PB in Wrocław
country;Poland
unit;Wrocław
instance;2018
num_projects;39
budget;4000000
vote_type;approval
rule;greedy-no-skip
date_begin;14.09.2018
date_end;01.10.2018
min_length;1
max_length;2
edition;6
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;name;category;selected;district
7;1000000;14408;"Zielona rowerowo-piesza obwodnica Wrocławia; ETAP III – Popowice – Szczepin - Muchobór Mały – Gajowice – Grabiszynek - Grabiszyn - Borek – Krzyki - Wojszyce – Gaj – Jagodno – Tarnogaj …";walking/cycling infrastructure;1;Krzyki-Partynice,Klecina
4;1000000;8963;Rowerowy Wrocław 2018;walking/cycling infrastructure;1;Gądów-Popowice Płd.,Nadodrze
416;1000000;7530;Zieleń to życie – parki kieszonkowe, nasadzenia i zielone zakątki w całym mieście;greenery/recreation;1;Karłowice-Różanka
28;1000000;7280;Toalety w Parkach i terenach rekreacyjnych we Wrocławiu - etap 2, kolejne instalacje;greenery/recreation;1;Leśnica
43;750000;7162;"""Miejskie tężnie. Czyste powietrze"" - budowa małych tężni solankowych w parkach miejskich";other;0;Gądów-Popowice Płd.,Ogólnomiejskie
425;1000000;3768;Wrocław idzie nad rzekę!;redevelopment;0;Maślice
500;1000000;3603;Plac zabaw w Parku Tysiąclecia - Średniowieczny Wrocław;playgrounds;0;Gaj,Gajowice
627;250000;3169;Chcemy oddychać - ratujmy starodrzew i zieleń przy ulicach;greenery/recreation;0;Powstańców Śląskich,Gajowice
18;1000000;2947;Bulwar Fizyków - realizacja 2. etapu ogrodu doświadczeń we Wrocławiu;greenery/recreation;0;Psie Pole-Zawidawie
68;1000000;2680;Park Skowroni (Na ratunek. Odciążenie Parku Południowego, zwiększenie ilości terenów biegowych, place zabaw, drzewa, krzewy i kwiaty);greenery/recreation;0;Muchobór Mały,Nowy Dwór
72;1000000;2584;Autostradowa Obwodnica Rowerowa ul. Płaska;walking/cycling infrastructure;0;Leśnica
187;1000000;2581;Park Rędziński - w zgodzie z naturą;greenery/recreation;0;Ołbin
52;750000;2418;Droga rowerowa z osiedla Krzyki do Powstańców Śląskich/Hallera wzdłuż ul. Skarbowców i Racławickiej (jednokierunkowa po obu stronach jezdni);walking/cycling infrastructure;0;Psie Pole-Zawidawie
82;1000000;2391;Rondo Reagana na poziomie! Budowa peronów na Rondzie Reagana.;public transit;0;Sołtysowice,Borek
356;750000;2284;Dwa boiska na Gądowie Małym;sport;0;Leśnica
181;1000000;2266;Ul. Ruska dla pieszych (deptak pomiędzy pl. Solnym a ul. Kazimierza Wielkiego);walking/cycling infrastructure;0;Tarnogaj
623;1000000;2107;Zielony Trójkąt: rewitalizacja placu na skrzyżowaniu ulic Kościuszki i Pułaskiego;greenery/recreation;0;Leśnica
367;1000000;1974;Ścieżka rowerowa Krucza - Inżynierska, Etap I;walking/cycling infrastructure;0;Świniary
593;250000;1970;Fontanna w Parku Brochowskim - rewitalizacja zabytkowego założenia wodnego w Parku Brochowskim;greenery/recreation;0;Brochów
218;1000000;1893;Alpy w środku miasta - Etap 1 Park Alpejski;greenery/recreation;0;Brochów,Karłowice-Różanka
526;1000000;1886;Toalety w centrum miasta;other;0;Tarnogaj
375;1000000;1772;„Oświetlenie ścieżki pieszo - biegowej na Wrocławskim Torze Wyścigów Konnych - Partynice”;other;0;Gaj,Klecina
11;430000;1679;Remont zabytkowego autobusu Fredruś;other;0;Maślice
585;750000;1451;Sygnalizacja świetlna na skrzyżowaniu al. Sobieskiego i ul. Wilanowskiej;roads;0;Brochów
614;800000;1437;Nowoczesne toalety na Psim Polu;other;0;Leśnica
77;250000;1107;Odnowienie Szpetnych Wiaduktów Kolejowych;other;0;Grabiszyn-Grabiszynek
128;1000000;1041;Przebudowa ciągów komunikacyjnych i uporządkowanie miejsc parkingowych na Osiedlu Powstańców Śląskich.;walking/cycling infrastructure;0;Widawa,Lipa Piotrowska, Widawa
185;1000000;953;Droga rowerowa na ul Metalowców. Oświetlenie i wymiana chodnika.;walking/cycling infrastructure;0;Psie Pole-Zawidawie
198;1000000;807;Twistem po Wrocławiu! Dostosowanie infrastruktury pod nowoczesne tramwaje Pesa Twist na trasach linii 2, 6, 10 i 17.;public transit;0;Widawa
325;450000;724;Stacje ładowania samochodów elektrycznych dla mieszkańców Wrocławia;other;0;Tarnogaj
541;600000;669;Brakujące odcinki ścieżki pieszo-rowerowej przy ulicy Opatowickiej - etap 1.;walking/cycling infrastructure;0;Gądów-Popowice Płd.
420;350000;592;Toskania we Wrocławiu: donice z kwiatami wokół wrocławskiego Rynku.;greenery/recreation;0;Psie Pole-Zawidawie
179;250000;554;ul. Dworcowa (odcinek między ul. Kościuszki i ul. Piłsudskiego) - infrastruktura;public transit;0;Pilczyce-Kozanów-Popowice Płn.
610;750000;529;Łączymy Promenadę Staromiejską - przejście dla pieszych i przejazd rowerowy przez ul. Piotra Skargi;walking/cycling infrastructure;0;Borek
41;250000;475;Wielkogabarytowe szachy plenerowe w centrum Wrocławia;greenery/recreation;0;Leśnica
603;400000;362;Podjazd dla wózków przy schodach łączących Bulwar Kaczyńskich z Mostem Grunwaldzkim;walking/cycling infrastructure;0;Grabiszyn-Grabiszynek,Gajowice
504;1000000;354;Park Słowackiego na nowo;greenery/recreation;0;Tarnogaj
121;20000;337;Odnowienie/remont pomnika ofiar z pl. Tian'anmen. Jest naprzeciw zburzonego PZU na pl. Dominikańskim.;other;0;Krzyki-Partynice,Klecina
628;750000;247;Przejście dla pieszych przez ul. Legnicką na wysokości Nabycińskiej i Rybackiej;walking/cycling infrastructure;0;Ołtaszyn
VOTES
voter_id;vote;age;sex;voting_method;district
1;416,28;38;F;internet;Borek, Powstańców Śląskich,Gajowice
3;28,11;42;F;internet;Pilczyce-Kozanów-Popowice Płn.
4;43;22;F;internet;Gądów-Popowice Płd.,Nadodrze
5;18,28;38;M;internet;Karłowice-Różanka
6;416;35;M;internet;Psie Pole-Zawidawie
7;7,4;35;M;internet;Krzyki-Partynice,Klecina
8;7,128;42;F;internet;Krzyki-Partynice,Klecina
9;187,416;45;M;internet;Maślice
10;7,4;32;F;internet;Krzyki-Partynice,Klecina
11;187,4;44;F;internet;Maślice
12;425,416;24;M;internet;Ołbin
13;627,43;35;F;internet;Psie Pole-Zawidawie
14;7,526;27;F;internet;Przedmieście Świdnickie,Stare Miasto, Przedmieście Świdnickie
15;623,181;62;F;internet;Przedmieście Oławskie
16;375;40;M;internet;Krzyki-Partynice
