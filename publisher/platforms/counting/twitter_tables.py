"""Tables copied from twitter-text 3.1 and twemoji-parser 11: its TLD lists and emoji regex.

tests/node/twitter_text_tables.js prints them from the npm packages pinned in package.json,
and tests/platforms/test_counters_parity.py holds these equal to them.
"""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


_TWITTER_GTLDS = _words(
    """
삼성 닷컴 닷넷 香格里拉 餐厅 食品 飞利浦 電訊盈科 集团 通販 购物 谷歌 诺基亚 联通 网络 网站 网店 网址 组织机构 移动 珠宝 点看 游戏 淡马锡 机构 書籍 时尚 新闻
政府 政务 招聘 手表 手机 我爱你 慈善 微博 广东 工行 家電 娱乐 天主教 大拿 大众汽车 在线 嘉里大酒店 嘉里 商标 商店 商城 公益 公司 八卦 健康 信息 佛山 企业 中文网
中信 世界 ポイント ファッション セール ストア コム グーグル クラウド みんな คอม संगठन नेट कॉम همراه موقع موبايلي كوم كاثوليك
عرب شبكة بيتك بازار العليان ارامكو اتصالات ابوظبي קום сайт рус орг онлайн москва ком католик
дети zuerich zone zippo zip zero zara zappos yun youtube you yokohama yoga yodobashi yandex
yamaxun yahoo yachts xyz xxx xperia xin xihuan xfinity xerox xbox wtf wtc wow world works work
woodside wolterskluwer wme winners wine windows win williamhill wiki wien whoswho weir weibo
wedding wed website weber webcam weatherchannel weather watches watch warman wanggou wang
walter walmart wales vuelos voyage voto voting vote volvo volkswagen vodka vlaanderen vivo
viva vistaprint vista vision visa virgin vip vin villas viking vig video viajes vet
versicherung vermögensberatung vermögensberater verisign ventures vegas vanguard vana
vacations ups uol uno university unicom uconnect ubs ubank tvs tushu tunes tui tube trv trust
travelersinsurance travelers travelchannel travel training trading trade toys toyota town
tours total toshiba toray top tools tokyo today tmall tkmaxx tjx tjmaxx tirol tires tips
tiffany tienda tickets tiaa theatre theater thd teva tennis temasek telefonica telecity tel
technology tech team tdk tci taxi tax tattoo tatar tatamotors target taobao talk taipei tab
systems symantec sydney swiss swiftcover swatch suzuki surgery surf support supply supplies
sucks style study studio stream store storage stockholm stcgroup stc statoil statefarm
statebank starhub star staples stada srt srl spreadbetting spot sport spiegel space soy sony
song solutions solar sohu software softbank social soccer sncf smile smart sling skype sky
skin ski site singles sina silk shriram showtime show shouji shopping shop shoes shiksha shia
shell shaw sharp shangrila sfr sexy sex sew seven ses services sener select seek security
secure seat search scot scor scjohnson science schwarz schule school scholarships schmidt
schaeffler scb sca sbs sbi saxo save sas sarl sapo sap sanofi sandvikcoromant sandvik samsung
samsclub salon sale sakura safety safe saarland ryukyu rwe run ruhr rugby rsvp room rogers
rodeo rocks rocher rmit rip rio ril rightathome ricoh richardli rich rexroth reviews review
restaurant rest republican report repair rentals rent ren reliance reit reisen reise rehab
redumbrella redstone red recipes realty realtor realestate read raid radio racing qvc quest
quebec qpon pwc pub prudential pru protection property properties promo progressive prof
productions prod pro prime press praxi pramerica post porn politie poker pohl pnc plus
plumbing playstation play place pizza pioneer pink ping pin pid pictures pictet pics piaget
physio photos photography photo phone philips phd pharmacy pfizer pet pccw pay passagens party
parts partners pars paris panerai panasonic pamperedchef page ovh ott otsuka osaka origins
orientexpress organic org orange oracle open ooo onyourside online onl ong one omega ollo
oldnavy olayangroup olayan okinawa office off observer obi nyc ntt nrw nra nowtv nowruz now
norton northwesternmutual nokia nissay nissan ninja nikon nike nico nhk ngo nfl nexus
nextdirect next news newholland new neustar network netflix netbank net nec nba navy natura
nationwide name nagoya nadex nab mutuelle mutual museum mtr mtpc mtn msd movistar movie mov
motorcycles moto moscow mortgage mormon mopar montblanc monster money monash mom moi moe moda
mobily mobile mobi mma mls mlb mitsubishi mit mint mini mil microsoft miami metlife merckmsd
meo menu men memorial meme melbourne meet media med mckinsey mcdonalds mcd mba mattel maserati
marshalls marriott markets marketing market map mango management man makeup maison maif madrid
macys luxury luxe lupin lundbeck ltda ltd lplfinancial lpl love lotto lotte london lol loft
locus locker loans loan llp llc lixil living live lipsy link linde lincoln limo limited lilly
like lighting lifestyle lifeinsurance life lidl liaison lgbt lexus lego legal lefrak leclerc
lease lds lawyer law latrobe latino lat lasalle lanxess landrover land lancome lancia
lancaster lamer lamborghini ladbrokes lacaixa kyoto kuokgroup kred krd kpn kpmg kosher komatsu
koeln kiwi kitchen kindle kinder kim kia kfh kerryproperties kerrylogistics kerryhotels kddi
kaufen juniper juegos jprs jpmorgan joy jot joburg jobs jnj jmp jll jlc jio jewelry jetzt jeep
jcp jcb java jaguar iwc iveco itv itau istanbul ist ismaili iselect irish ipiranga investments
intuit international intel int insure insurance institute ink ing info infiniti industries inc
immobilien immo imdb imamat ikano iinet ifm ieee icu ice icbc ibm hyundai hyatt hughes htc
hsbc how house hotmail hotels hoteles hot hosting host hospital horse honeywell honda
homesense homes homegoods homedepot holiday holdings hockey hkt hiv hitachi hisamitsu hiphop
hgtv hermes here helsinki help healthcare health hdfcbank hdfc hbo haus hangout hamburg hair
guru guitars guide guge gucci guardian group grocery gripe green gratis graphics grainger gov
got gop google goog goodyear goodhands goo golf goldpoint gold godaddy gmx gmo gmbh gmail
globo global gle glass glade giving gives gifts gift ggee george genting gent gea gdn gbiz gay
garden gap games game gallup gallo gallery gal fyi futbol furniture fund fun fujixerox fujitsu
ftr frontier frontdoor frogans frl fresenius free fox foundation forum forsale forex ford
football foodnetwork food foo fly flsmidth flowers florist flir flights flickr fitness fit
fishing fish firmdale firestone fire financial finance final film fido fidelity fiat ferrero
ferrari feedback fedex fast fashion farmers farm fans fan family faith fairwinds fail fage
extraspace express exposed expert exchange everbank events eus eurovision etisalat esurance
estate esq erni ericsson equipment epson epost enterprises engineering engineer energy emerck
email education edu edeka eco eat earth dvr dvag durban dupont duns dunlop duck dubai dtv
drive download dot doosan domains doha dog dodge doctor docs dnp diy dish discover discount
directory direct digital diet diamonds dhl dev design desi dentist dental democrat delta
deloitte dell delivery degree deals dealer deal dds dclk day datsun dating date data dance dad
dabur cyou cymru cuisinella csc cruises cruise crs crown cricket creditunion creditcard credit
cpa courses coupons coupon country corsica coop cool cookingchannel cooking contractors
contact consulting construction condos comsec computer compare company community commbank
comcast com cologne college coffee codes coach clubmed club cloud clothing clinique clinic
click cleaning claims cityeats city citic citi citadel cisco circle cipriani church chrysler
chrome christmas chloe chintai cheap chat chase charity channel chanel cfd cfa cern ceo center
ceb cbs cbre cbn cba catholic catering cat casino cash caseih case casa cartier cars careers
career care cards caravan car capitalone capital capetown canon cancerresearch camp camera cam
calvinklein call cal cafe cab bzh buzz buy business builders build bugatti budapest brussels
brother broker broadway bridgestone bradesco box boutique bot boston bostik bosch boots
booking book boo bond bom bofa boehringer boats bnpparibas bnl bmw bms blue bloomberg blog
blockbuster blanco blackfriday black biz bio bingo bing bike bid bible bharti bet bestbuy best
berlin bentley beer beauty beats bcn bcg bbva bbt bbc bayern bauhaus basketball baseball
bargains barefoot barclays barclaycard barcelona bar bank band bananarepublic banamex baidu
baby azure axa aws avianca autos auto author auspost audio audible audi auction attorney
athleta associates asia asda arte art arpa army archi aramco arab aquarelle apple app
apartments aol anz anquan android analytics amsterdam amica amfam amex americanfamily
americanexpress alstom alsace ally allstate allfinanz alipay alibaba alfaromeo akdn airtel
airforce airbus aigo aig agency agakhan africa afl afamilycompany aetna aero aeg adult ads
adac actor active aco accountants accountant accenture academy abudhabi abogado able abc
abbvie abbott abb abarth aarp aaa onion
"""
)

_TWITTER_CCTLDS = _words(
    """
한국 香港 澳門 新加坡 台灣 台湾 中國 中国 გე ລາວ ไทย ලංකා ഭാരതം ಭಾರತ భారత్ சிங்கப்பூர் இலங்கை இந்தியா ଭାରତ ભારત
ਭਾਰਤ ভাৰত ভারত বাংলা भारोत भारतम् भारत ڀارت پاکستان موريتانيا مليسيا مصر قطر فلسطين عمان عراق
سورية سودان تونس بھارت بارت ایران امارات المغرب السعودية الجزائر البحرين الاردن հայ қаз укр
срб рф мон мкд ею бел бг ευ ελ zw zm za yt ye ws wf vu vn vi vg ve vc va uz uy us um uk ug ua
tz tw tv tt tr tp to tn tm tl tk tj th tg tf td tc sz sy sx sv su st ss sr so sn sm sl sk sj
si sh sg se sd sc sb sa rw ru rs ro re qa py pw pt ps pr pn pm pl pk ph pg pf pe pa om nz nu
nr np no nl ni ng nf ne nc na mz my mx mw mv mu mt ms mr mq mp mo mn mm ml mk mh mg mf me md
mc ma ly lv lu lt ls lr lk li lc lb la kz ky kw kr kp kn km ki kh kg ke jp jo jm je it is ir
iq io in im il ie id hu ht hr hn hm hk gy gw gu gt gs gr gq gp gn gm gl gi gh gg gf ge gd gb
ga fr fo fm fk fj fi eu et es er eh eg ee ec dz do dm dk dj de cz cy cx cw cv cu cr co cn cm
cl ck ci ch cg cf cd cc ca bz by bw bv bt bs br bq bo bn bm bl bj bi bh bg bf be bd bb ba az
ax aw au at as ar aq ao an am al ai ag af ae ad ac
"""
)

_TWEMOJI_PARSER_11_EMOJI = (
    r"(?:\ud83d[\udc68\udc69])(?:\ud83c[\udffb-\udfff])?\u200d(?:\u2695\ufe0f|\u2696\ufe0f|"
    r"\u2708\ufe0f|\ud83c[\udf3e\udf73\udf93\udfa4\udfa8\udfeb\udfed]|\ud83d[\udcbb\udcbc\udd27"
    r"\udd2c\ude80\ude92]|\ud83e[\uddb0-\uddb3])|(?:\ud83c[\udfcb\udfcc]|\ud83d[\udd74\udd75]|"
    r"\u26f9)((?:\ud83c[\udffb-\udfff]|\ufe0f)\u200d[\u2640\u2642]\ufe0f)|(?:\ud83c[\udfc3\udfc4"
    r"\udfca]|\ud83d[\udc6e\udc71\udc73\udc77\udc81\udc82\udc86\udc87\ude45-\ude47\ude4b\ude4d"
    r"\ude4e\udea3\udeb4-\udeb6]|\ud83e[\udd26\udd35\udd37-\udd39\udd3d\udd3e\uddb8\uddb9\uddd6-"
    r"\udddd])(?:\ud83c[\udffb-\udfff])?\u200d[\u2640\u2642]\ufe0f|(?:\ud83d\udc68\u200d\u2764"
    r"\ufe0f\u200d\ud83d\udc8b\u200d\ud83d\udc68|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d"
    r"\udc66\u200d\ud83d\udc66|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d\udc67\u200d\ud83d["
    r"\udc66\udc67]|\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d"
    r"\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d"
    r"\u2764\ufe0f\u200d\ud83d\udc8b\u200d\ud83d[\udc68\udc69]|\ud83d\udc69\u200d\ud83d\udc69"
    r"\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d\udc67"
    r"\u200d\ud83d[\udc66\udc67]|\ud83d\udc68\u200d\u2764\ufe0f\u200d\ud83d\udc68|\ud83d\udc68"
    r"\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc68\u200d\ud83d\udc67\u200d\ud83d[\udc66"
    r"\udc67]|\ud83d\udc68\u200d\ud83d\udc68\u200d\ud83d[\udc66\udc67]|\ud83d\udc68\u200d\ud83d"
    r"\udc69\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\u2764\ufe0f\u200d\ud83d[\udc68\udc69]|"
    r"\ud83d\udc69\u200d\ud83d\udc66\u200d\ud83d\udc66|\ud83d\udc69\u200d\ud83d\udc67\u200d"
    r"\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\ud83d\udc69\u200d\ud83d[\udc66\udc67]|\ud83c\udff3"
    r"\ufe0f\u200d\ud83c\udf08|\ud83c\udff4\u200d\u2620\ufe0f|\ud83d\udc41\u200d\ud83d\udde8|"
    r"\ud83d\udc68\u200d\ud83d[\udc66\udc67]|\ud83d\udc69\u200d\ud83d[\udc66\udc67]|\ud83d\udc6f"
    r"\u200d\u2640\ufe0f|\ud83d\udc6f\u200d\u2642\ufe0f|\ud83e\udd3c\u200d\u2640\ufe0f|\ud83e"
    r"\udd3c\u200d\u2642\ufe0f|\ud83e\uddde\u200d\u2640\ufe0f|\ud83e\uddde\u200d\u2642\ufe0f|"
    r"\ud83e\udddf\u200d\u2640\ufe0f|\ud83e\udddf\u200d\u2642\ufe0f)|[#*0-9]\ufe0f?\u20e3|(?:[©®"
    r"\u2122\u265f]\ufe0f)|(?:\ud83c[\udc04\udd70\udd71\udd7e\udd7f\ude02\ude1a\ude2f\ude37"
    r"\udf21\udf24-\udf2c\udf36\udf7d\udf96\udf97\udf99-\udf9b\udf9e\udf9f\udfcd\udfce\udfd4-"
    r"\udfdf\udff3\udff5\udff7]|\ud83d[\udc3f\udc41\udcfd\udd49\udd4a\udd6f\udd70\udd73\udd76-"
    r"\udd79\udd87\udd8a-\udd8d\udda5\udda8\uddb1\uddb2\uddbc\uddc2-\uddc4\uddd1-\uddd3\udddc-"
    r"\uddde\udde1\udde3\udde8\uddef\uddf3\uddfa\udecb\udecd-\udecf\udee0-\udee5\udee9\udef0"
    r"\udef3]|[\u203c\u2049\u2139\u2194-\u2199\u21a9\u21aa\u231a\u231b\u2328\u23cf\u23ed-\u23ef"
    r"\u23f1\u23f2\u23f8-\u23fa\u24c2\u25aa\u25ab\u25b6\u25c0\u25fb-\u25fe\u2600-\u2604\u260e"
    r"\u2611\u2614\u2615\u2618\u2620\u2622\u2623\u2626\u262a\u262e\u262f\u2638-\u263a\u2640"
    r"\u2642\u2648-\u2653\u2660\u2663\u2665\u2666\u2668\u267b\u267f\u2692-\u2697\u2699\u269b"
    r"\u269c\u26a0\u26a1\u26aa\u26ab\u26b0\u26b1\u26bd\u26be\u26c4\u26c5\u26c8\u26cf\u26d1\u26d3"
    r"\u26d4\u26e9\u26ea\u26f0-\u26f5\u26f8\u26fa\u26fd\u2702\u2708\u2709\u270f\u2712\u2714"
    r"\u2716\u271d\u2721\u2733\u2734\u2744\u2747\u2757\u2763\u2764\u27a1\u2934\u2935\u2b05-"
    r"\u2b07\u2b1b\u2b1c\u2b50\u2b55\u3030\u303d\u3297\u3299])(?:\ufe0f|(?!\ufe0e))|(?:(?:\ud83c"
    r"[\udfcb\udfcc]|\ud83d[\udd74\udd75\udd90]|[\u261d\u26f7\u26f9\u270c\u270d])(?:\ufe0f|(?!"
    r"\ufe0e))|(?:\ud83c[\udf85\udfc2-\udfc4\udfc7\udfca]|\ud83d[\udc42\udc43\udc46-\udc50\udc66"
    r"-\udc69\udc6e\udc70-\udc78\udc7c\udc81-\udc83\udc85-\udc87\udcaa\udd7a\udd95\udd96\ude45-"
    r"\ude47\ude4b-\ude4f\udea3\udeb4-\udeb6\udec0\udecc]|\ud83e[\udd18-\udd1c\udd1e\udd1f\udd26"
    r"\udd30-\udd39\udd3d\udd3e\uddb5\uddb6\uddb8\uddb9\uddd1-\udddd]|[\u270a\u270b]))(?:\ud83c["
    r"\udffb-\udfff])?|(?:\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc65\udb40\udc6e\udb40"
    r"\udc67\udb40\udc7f|\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc73\udb40\udc63\udb40"
    r"\udc74\udb40\udc7f|\ud83c\udff4\udb40\udc67\udb40\udc62\udb40\udc77\udb40\udc6c\udb40"
    r"\udc73\udb40\udc7f|\ud83c\udde6\ud83c[\udde8-\uddec\uddee\uddf1\uddf2\uddf4\uddf6-\uddfa"
    r"\uddfc\uddfd\uddff]|\ud83c\udde7\ud83c[\udde6\udde7\udde9-\uddef\uddf1-\uddf4\uddf6-\uddf9"
    r"\uddfb\uddfc\uddfe\uddff]|\ud83c\udde8\ud83c[\udde6\udde8\udde9\uddeb-\uddee\uddf0-\uddf5"
    r"\uddf7\uddfa-\uddff]|\ud83c\udde9\ud83c[\uddea\uddec\uddef\uddf0\uddf2\uddf4\uddff]|\ud83c"
    r"\uddea\ud83c[\udde6\udde8\uddea\uddec\udded\uddf7-\uddfa]|\ud83c\uddeb\ud83c[\uddee-\uddf0"
    r"\uddf2\uddf4\uddf7]|\ud83c\uddec\ud83c[\udde6\udde7\udde9-\uddee\uddf1-\uddf3\uddf5-\uddfa"
    r"\uddfc\uddfe]|\ud83c\udded\ud83c[\uddf0\uddf2\uddf3\uddf7\uddf9\uddfa]|\ud83c\uddee\ud83c["
    r"\udde8-\uddea\uddf1-\uddf4\uddf6-\uddf9]|\ud83c\uddef\ud83c[\uddea\uddf2\uddf4\uddf5]|"
    r"\ud83c\uddf0\ud83c[\uddea\uddec-\uddee\uddf2\uddf3\uddf5\uddf7\uddfc\uddfe\uddff]|\ud83c"
    r"\uddf1\ud83c[\udde6-\udde8\uddee\uddf0\uddf7-\uddfb\uddfe]|\ud83c\uddf2\ud83c[\udde6\udde8"
    r"-\udded\uddf0-\uddff]|\ud83c\uddf3\ud83c[\udde6\udde8\uddea-\uddec\uddee\uddf1\uddf4\uddf5"
    r"\uddf7\uddfa\uddff]|\ud83c\uddf4\ud83c\uddf2|\ud83c\uddf5\ud83c[\udde6\uddea-\udded\uddf0-"
    r"\uddf3\uddf7-\uddf9\uddfc\uddfe]|\ud83c\uddf6\ud83c\udde6|\ud83c\uddf7\ud83c[\uddea\uddf4"
    r"\uddf8\uddfa\uddfc]|\ud83c\uddf8\ud83c[\udde6-\uddea\uddec-\uddf4\uddf7-\uddf9\uddfb\uddfd"
    r"-\uddff]|\ud83c\uddf9\ud83c[\udde6\udde8\udde9\uddeb-\udded\uddef-\uddf4\uddf7\uddf9\uddfb"
    r"\uddfc\uddff]|\ud83c\uddfa\ud83c[\udde6\uddec\uddf2\uddf3\uddf8\uddfe\uddff]|\ud83c\uddfb"
    r"\ud83c[\udde6\udde8\uddea\uddec\uddee\uddf3\uddfa]|\ud83c\uddfc\ud83c[\uddeb\uddf8]|\ud83c"
    r"\uddfd\ud83c\uddf0|\ud83c\uddfe\ud83c[\uddea\uddf9]|\ud83c\uddff\ud83c[\udde6\uddf2\uddfc]"
    r"|\ud83c[\udccf\udd8e\udd91-\udd9a\udde6-\uddff\ude01\ude32-\ude36\ude38-\ude3a\ude50\ude51"
    r"\udf00-\udf20\udf2d-\udf35\udf37-\udf7c\udf7e-\udf84\udf86-\udf93\udfa0-\udfc1\udfc5\udfc6"
    r"\udfc8\udfc9\udfcf-\udfd3\udfe0-\udff0\udff4\udff8-\udfff]|\ud83d[\udc00-\udc3e\udc40"
    r"\udc44\udc45\udc51-\udc65\udc6a-\udc6d\udc6f\udc79-\udc7b\udc7d-\udc80\udc84\udc88-\udca9"
    r"\udcab-\udcfc\udcff-\udd3d\udd4b-\udd4e\udd50-\udd67\udda4\uddfb-\ude44\ude48-\ude4a\ude80"
    r"-\udea2\udea4-\udeb3\udeb7-\udebf\udec1-\udec5\uded0-\uded2\udeeb\udeec\udef4-\udef9]|"
    r"\ud83e[\udd10-\udd17\udd1d\udd20-\udd25\udd27-\udd2f\udd3a\udd3c\udd40-\udd45\udd47-\udd70"
    r"\udd73-\udd76\udd7a\udd7c-\udda2\uddb4\uddb7\uddc0-\uddc2\uddd0\uddde-\uddff]|[\u23e9-"
    r"\u23ec\u23f0\u23f3\u267e\u26ce\u2705\u2728\u274c\u274e\u2753-\u2755\u2795-\u2797\u27b0"
    r"\u27bf\ue50a])|\ufe0f"
)
