META
key;value
description;Municipal PB in Gdynia
country;Poland
unit;Gdynia
instance;2024
num_projects;17
budget;1000000
vote_type;approval
rule;greedy-no-skip
date_begin;02.09.2024
date_end;16.09.2024
min_length;1
max_length;3
min_project_score_threshold;1000
subdistricts;True
edition;11
language;pl
currency;PLN
PROJECTS
project_id;cost;votes;name;selected
2024/OGM/0008;100000;7874;Mural na 100-lecie miasta w tunelu na Wzgórzu Św. Maksymiliana;1
2024/OGM/0018;100000;4612;Wykonanie kilkunastu figur ryb zaprojektowanych przez mieszkańców i lokalnych artystów oraz umieszczenie ich w przestrzeni publicznej;1
2024/OGM/0007;100000;4097;Koncerty z okazji 100-lecia Gdyni;1
2024/OGM/0001;50000;3036;Urodzinowe gry miejskie;1
2024/OGM/0015;99000;2861;11 tablic informacyjnych z wizualizacjami 3D dot. dawnej architektury sześciu dzielnic oraz mniej znanych obiektów historycznych w czterech dzielnicach;1
2024/OGM/0009;99875;2734;Film 360° z wykorzystaniem wirtualnej rzeczywistości, pokazujący Gdynię 100 lattemu na tarasie widokowym przy ulicy Zawiszy Czarnego 1;1
2024/OGM/0030;100000;2681;Przygotowanie gry planszowej o Gdyni z okresu XX-lecia międzywojennego;1
2024/OGM/0037;99000;2122;Koncert jubileuszowy piosenek morskich na 100-lecie Gdyni;1
2024/OGM/0002;100000;1997;Historia dzielnic Gdyni w opowieściach jej mieszkańców na tle 100 lat miasta — gromadzenie wspomnień (spotkania, spacery, wywiady), opracowanie wydawnictwa, film;1
2024/OGM/0038;61000;1728;Warsztaty plastyczne dla rodzin, konkurs i stworzenie puzzli związanych ze 100-leciem miasta;1
2024/OGM/0029;100000;1636;Animacja ukazująca historię Gdyni na przełomie ostatniego tysiąclecia.;0
2024/OGM/0031;100000;1347;Cykl czterech koncertów i performance'ów  w przestrzeniach Gdyńskich Hal Targowych;0
2024/OGM/0011;32200;1283;Pokaz niemego filmu z życia Gdynian z muzyką na żywo z okazji 100-lecia Gdyni;0
2024/OGM/0033;100000;1245;Konkurs fotograficzny z Gdynią jako motywem przewodnim oraz plenerowa wystawa prac;0
2024/OGM/0025;100000;932;Film dokumentalny o żeglarskiej historii Gdyni;0
2024/OGM/0027;26700;912;Konkurs filmowy dla młodych twórców z okazji 100-lecia miasta Gdyni;0
2024/OGM/0026;100000;424;Konkurs literacki na opowiadanie o Gdyni - o życiu i rozwoju miasta, o jego mieszkańcach, o wydarzeniach i symbolach miasta;0
VOTES
voter_id;vote;age;sex;voting_method;neighborhood
1;2024/OGM/0008,2024/OGM/0009,2024/OGM/0011;45;F;internet;Obłuże
2;2024/OGM/0009;33;M;internet;Grabówek
3;2024/OGM/0008;59;M;internet;Mały Kack
4;2024/OGM/0008;34;M;internet;Mały Kack
5;2024/OGM/0008;59;F;internet;Mały Kack
6;2024/OGM/0008,2024/OGM/0018,2024/OGM/0030;38;F;internet;Orłowo
7;2024/OGM/0007,2024/OGM/0008,2024/OGM/0009;39;M;internet;Babie Doły
8;2024/OGM/0008,2024/OGM/0025,2024/OGM/0027;39;M;internet;Chwarzno-Wiczlino
9;2024/OGM/0008,2024/OGM/0015,2024/OGM/0027;44;F;internet;Chwarzno-Wiczlino
10;2024/OGM/0009,2024/OGM/0038;41;M;internet;Działki Leśne
11;2024/OGM/0015;33;F;internet;Babie Doły
12;2024/OGM/0007;30;F;internet;Wielki Kack
13;2024/OGM/0007,2024/OGM/0031,2024/OGM/0037;40;F;internet;Witomino
17;2024/OGM/0008,2024/OGM/0015,2024/OGM/0018;31;F;internet;Wielki Kack
18;2024/OGM/0007,2024/OGM/0009,2024/OGM/0037;40;M;internet;Chwarzno-Wiczlino
