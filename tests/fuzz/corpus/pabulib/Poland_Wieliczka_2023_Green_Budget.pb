META
key;value
description;Municipal PB in Wieliczka, Green Budget (Zielony Milion)
country;Poland
unit;Wieliczka
subunit;Green Budget
instance;2023
num_projects;64
budget;1000000
vote_type;approval
rule;equalshares/add1-comparison
date_begin;03.04.2023
date_end;21.04.2023
min_length;1
edition;1
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;name;selected;latitude;longitude
24;5000;720;Zakup 10 fotopułapek przeciwko śmieciarzom i dzikim wysypiskom;1;49.9873919;20.0835982
41;85000;658;Stworzenie warunków rekreacyjnych dla mieszkańców Węgrzc Wielkich;1;50.0170563149589;20.114811182197
40;100000;583;Projekt zapobiegania bezdomności psów i kotów na terenie gminy Wieliczka poprzez podejmowanie takich działań jak: sterylizacja kastracja oraz chipowanie zwierząt a także inicjatyw związanych z edukacją mieszkańców gminy i promocją adopcji zwierząt;1;49.9846962;20.0591316
74;70800;552;Rewitalizacja zieleni parku przy kościele św. Sebastiana w Wieliczce;1;49.9782458701926;20.0660240650177
19;99800;538;Odbudowa populacji zagrożonych gatunków ichtiofauny oraz zwiększenie populacji ryb drapieżnych;1;50.0327760483247;20.0831365585327
6;100000;500;Zielona Chorągwica - rewitalizacja terenów zielonych wraz z nasadzeniami;1;49.9578709;20.0898377
21;100000;496;Budowa ścieżki edukacyjno-ekologicznej w Laskowcu w Pawlikowicach;0;49.956079627214;20.0687170028687
32;34999;428;Nasadzenie drzew krzewów i traw przy nowo budowanej ścieżce rekreacyjnej w Strumianach;1;50.009518;20.1019013
39;600;418;Budki lęgowe dla jerzyków;1;50.0136337;20.0935109
58;32716;400;Zielony skwerek przy Szkole Podstawowej im. Królowej Jadwigi w Sierczy;1;49.9715773806854;20.0404963793089
42;35720;388;Rewitalizacja zieleni na działce nr 484/4 przy świetlicy środowiskowej w Kokotowie;1;50.015993442764;20.0941409904503
25;30000;379;Eko KROKusy;1;49.9409433;20.1189901
16;50000;376;Zielony Mi(lion)etniów - zielona lekcja;0;49.9612836;20.0750978
43;3969;372;Kosze na śmieci w Węgrzcach Wielkich;1;50.0164208242451;20.1117761918006
20;5000;362;Recykling z serca Dobranowic;1;49.9447774;20.0976084
60;17540;359;Pracownia Ekologiczna w Szkole Podstawowej im. Królowej Jadwigi w Sierczy;1;49.9718726;20.04034
29;35000;327;Budowa instalacji fotowoltaicznej na budynku Domu Ludowego w Grabiu;1;50.039731;20.1338013
33;20280;325;Zielona Aleja;1;50.0041871;20.109556
17;39960;324;Wykonanie nasadzeń na skarpie przy Cmentarzu Parafialnym w Podstolicach;1;49.9580571989786;19.9890768527985
70;14403;310;Rosnę latem jesienią i na wiosnę - utworzenie łąki kwietnej na skwerku między Przedszkolem Samorządowym w Mietniowie im. J. Latuska a świetlicą środowiskową w Mietniowie;1;49.9623358;20.0752221
34;12000;294;Zielona Lednica i okolica;1;49.974684;20.0819729
87;74000;292;Rewitalizacja zielonego skweru na ekoplac zabaw i rekreacji w Śledziejowicach;0;50.0050595;20.0892777
8;32210;289;Zielony Zakątek na Rynku;0;49.98251128641;20.0604718923569
9;50000;288;Zakup i montaż paneli fotowoltaicznych na dachu świetlicy w Lednicy Górnej 451;1;49.9744511836059;20.0816170735755
26;20000;281;Myśl ekoglobalnie - działaj lokalnie - co możemy zdziałać dla Szkoły Podstawowej w Janowicach w dziedzinie ochrony środowiska.;1;49.9540923;20.0137589
71;30000;261;Zagospodarowanie skarpy przy budynku Szkoły Podstawowej w Gorzkowie;1;49.922519;20.028443
88;24000;253;Kolorowa łąka kwietna na terenach gminnych przy boisku sportowym w Zabawie;1;49.9927119105468;20.0923311710358
36;2760;247;Łąka kwietna;1;50.0136002497904;20.0931465334755
62;2500;237;Zakup serca na zakrętki plastikowe w ramach ekologii przy Szkole Podstawowej w Byszycach;1;49.9245291;20.0125864
81;68000;233;"Sensoryczna ścieżka dla dzieci oraz domki dla zwierząt w Parku ""Stok pod Baranem"" - wykonane z ekologicznych recyklingowanych materiałów";0;49.9765294757085;20.0635242462158
61;51732;229;Zagospodarowanie pętli autobusowej w miejscowości Byszyce o powierzchni 500m2;1;49.9106076034567;20.0183933973312
13;92840;228;Ścieżka przyrodniczo-edukacyjna w Sygneczowie;0;49.9704943;20.0122286
31;95000;200;Kwietne i zielone tereny przy Placu Zabaw w Golkowicach;0;49.9697647870376;19.9798478028969
68;56900;196;Psi kącik - wybieg dla psów w Parku Mickiewicza;0;49.9870763978196;20.0454676151276
86;78000;196;Rewitalizacja stawu w Śledziejowicach;0;50.009876;20.0901587
63;92550;194;Ścieżka spacerowa do wzgórza Kaim;0;49.9979744;20.0403348
80;75000;188;"Drzewne przytulasy i relaksacyjne gniazda w Parku ""Stok pod Baranem""";0;49.9809469419258;20.0621670484543
7;25000;186;zagospodarowanie wysepki przy pętli autowusowej w miejscowosci Grabówki na skrzyzowaniu drogi powiatowej nr 2028 K i drogi 2029K;1;49.973937;20.0290311
27;100000;183;Montaż paneli fotowoltaicznych oraz wymiana lamp na oświetlenie LED na boisku sportowym LKS GWIAZDA BRZEGI;0;50.029799;20.091131
30;90000;181;Zielona Szkoła w Golkowicach;0;49.9695986;19.9801526
84;58000;180;Park w Sierczy;0;49.9747132052677;20.0397920608521
46;36000;174;Utworzenie Parków Kieszonkowych w Czarnochowicach;1;50.0115829642957;20.0757068395615
54;24000;173;Rekonstrukcja alei drzew na Trakcie Solnym w Wieliczce (dawny C. K. Salinarny Trakt Powroźniczy na Turówce);0;49.9869071;20.0523772
52;80000;171;Fontanna filtrująca wodę w parku Mickiewicza;0;49.9863543422794;20.0499629974365
79;73000;167;Ekologiczny portal wraz z zielonym labiryntem w Parku Adama Mickiewicza;0;49.9873247329736;20.0465297698975
18;51600;163;Ekomural przy Szkole Podstawowej w Grajowie;0;49.937739;20.102238
85;47000;163;Drewniana kładka w parku Adama Mickiewicza;0;49.9861934179993;20.0499629974365
64;45500;161;Montaż lamp doświetlających boisko na Osiedlu Lekarka;0;49.9930449;20.0725952
56;2000;157;Ekodonice;1;50.0134231519995;20.0931311682901
65;50000;155;Rewitalizacja terenów zielonych wraz z otoczeniem Domu Ludowego w Czarnochowicach;0;50.0066303;20.0690652
66;9000;144;Kwietna łąka w Czarnochowicach na dz. 166/13 oraz 166/18;0;49.9845218538909;20.0590776055467
44;75000;140;Ekoszlak;0;50.0220790004893;20.0723648071289
67;16500;140;Kwietna łąka w Czarnochowicach na dz. 166/16 oraz dz. 313;0;50.0078976051874;20.0664532184601
78;67000;138;Kwietne instalacje w Parku Adama Mickiewicza: kalejdoskop roślinny + chromoterapia;0;49.9804032811188;20.0607683664355
82;85000;131;Ekologiczna drewniana kopuła z motywami roślinnymi oraz relaksacyjne gniazda w Parku Adama Mickiewicza w Wieliczce;0;49.9799877222897;20.0610448266694
47;92000;129;Leśny Park Kieszonkowy przy ul. Narutowicza w Wieliczce;0;49.9870619;20.0647971
51;37000;124;Wybieg dla psów na os. Bogucice;0;49.995974273991;20.0449311733246
55;25294;121;Zielona Oaza;0;50.0040978693375;20.1092085705281
72;36940;111;Zielone zacisze;0;49.99094;20.02545
69;8300;101;Zielony zakątek;1;49.9975072;20.0214638
38;100000;91;Instalacja fotowoltaiczna dla OSP Jankówka;0;49.9265059;20.0675404
48;50000;84;Rewitalizacja Skweru Skarbnika;0;49.9803316;20.0608655
59;50000;81;Wielicka Mapa Drzew;0;;
83;75000;80;Ekologiczne zagospodarowanie ronda przy ulicy Piłsudskiego - zegar florystyczny oraz rzeźby;0;49.9865279864791;20.0710639357567
VOTES
voter_id;vote
1;70,20,21,25,6
2;39,60,74,24,58
3;70,20,21,25,6
4;21
5;70,20,21,25,6
6;39,60,74,24,58
7;39,32,86,42,41,24
8;70,20,21,25,6
9;39,36,60,74,58
10;21
11;39,60,74,58
12;17
13;19
14;39,36,64,84,60,40,74,58
15;19
