"""Day and month names of the common European languages, lower-case, for bot.ingest.dates:
months to English abbreviations dateutil reads, days to Python's weekday numbers."""

from __future__ import annotations


def _table(rows: dict[str, str]) -> dict[str, str]:
    return {name: english for english, names in rows.items() for name in names.split()}


MONTHS = _table(
    {
        "Jan": "janvier janv gennaio gen enero ene janeiro januar jänner jän januari stycznia "
        "styczeń sty",
        "Feb": "février févr fevrier fevr febbraio febrero fevereiro fev februar februari "
        "lutego luty lut",
        "Mar": "mars marzo março marco märz mär maerz maart mrt marts marca marzec",
        "Apr": "avril avr aprile abril kwietnia kwiecień kwi",
        "May": "mai maggio mag mayo maio mei maj maja",
        "Jun": "juin giugno giu junio junho juni czerwca czerwiec cze",
        "Jul": "juillet juil luglio lug julio julho juli lipca lipiec lip",
        "Aug": "août aout agosto ago augustus augusti sierpnia sierpień sie",
        "Sep": "septembre settembre set septiembre setiembre setembro września wrzesień wrz",
        "Oct": "octobre ottobre ott octubre outubro out oktober okt października październik paź",
        "Nov": "novembre noviembre novembro listopada listopad lis",
        "Dec": "décembre déc decembre dicembre dic diciembre dezembro dez dezember december "
        "des grudnia grudzień gru",
    }
)

_DAYS = {
    0: "mon monday lun lundi lunedì lunedi lunes seg segunda mo montag ma maandag måndag "
    "mandag pon poniedziałek",
    1: "tue tues tuesday mar mardi martedì martedi martes ter terça terca di dienstag "
    "dinsdag tisdag tirsdag wt wtorek",
    2: "wed wednesday mer mercredi mercoledì mercoledi mié mie miércoles miercoles qua "
    "quarta mi mittwoch wo woensdag onsdag śr środa",
    3: "thu thur thurs thursday jeu jeudi gio giovedì giovedi jue jueves qui quinta do "
    "donnerstag donderdag torsdag czw czwartek",
    4: "fri friday ven vendredi venerdì venerdi vie viernes sex sexta fr freitag vr vrijdag "
    "fredag pt piątek",
    5: "sat saturday sam samedi sab sabato sáb sábado sabado sa samstag za zaterdag lördag "
    "lørdag lordag sob sobota",
    6: "sun sunday dim dimanche dom domenica domingo so sonntag zo zondag söndag søndag "
    "sondag nd niedziela",
}
WEEKDAYS = {name: day for day, names in _DAYS.items() for name in names.split()}
