"""A small, realistic catalogue for judging search, and the judged queries.

Products are chosen so that the easy answers are wrong: fish sauce from
several places, three fruits that fold to "dua" (dứa, dừa, dưa), tea from Thái
Nguyên and from elsewhere, honey next to words that fold to "mat" and "ong".
"""

from __future__ import annotations

from dataclasses import dataclass

from market import places
from market.models import OcopCategory, SellerKind
from tests.factories import (
    SellerFactory,
    certification_create,
    product_create,
)

FOOD, DRINK, HERBAL = OcopCategory.FOOD, OcopCategory.DRINK, OcopCategory.HERBAL
TEXTILE, SOUVENIR, TOURISM = (
    OcopCategory.TEXTILE,
    OcopCategory.SOUVENIR,
    OcopCategory.TOURISM,
)

# key: (legal name, kind, province)
SELLERS = {
    "camthanh": ("HTX Nước mắm Cẩm Thanh", SellerKind.COOPERATIVE, "Thành phố Đà Nẵng"),
    "namo": ("Hộ kinh doanh Lê Văn Ba", SellerKind.HOUSEHOLD, "Thành phố Đà Nẵng"),
    "phanthiet": (
        "Công ty TNHH Hải sản Mũi Né",
        SellerKind.ENTERPRISE,
        "Tỉnh Lâm Đồng",
    ),
    "huongdao": ("HTX Nông nghiệp Hướng Đạo", SellerKind.COOPERATIVE, "Tỉnh Phú Thọ"),
    "doanhung": ("Hộ kinh doanh Nguyễn Thị Hòa", SellerKind.HOUSEHOLD, "Tỉnh Phú Thọ"),
    "bentre": ("HTX Dừa Thạnh Phú", SellerKind.COOPERATIVE, "Tỉnh Vĩnh Long"),
    "cantho": ("Hộ kinh doanh Võ Minh Nam", SellerKind.HOUSEHOLD, "Thành phố Cần Thơ"),
    "tancuong": ("HTX Chè Tân Cương", SellerKind.COOPERATIVE, "Tỉnh Thái Nguyên"),
    "thainguyen": (
        "Hộ kinh doanh Đặng Thúy Hằng",
        SellerKind.HOUSEHOLD,
        "Tỉnh Thái Nguyên",
    ),
    "dongvan": ("HTX Ong mật Đồng Văn", SellerKind.COOPERATIVE, "Tỉnh Tuyên Quang"),
    "daklak": (
        "Công ty TNHH Cà phê Buôn Ma Thuột",
        SellerKind.ENTERPRISE,
        "Tỉnh Đắk Lắk",
    ),
    "lyson": ("Hộ kinh doanh Phạm Quang Vĩnh", SellerKind.HOUSEHOLD, "Tỉnh Quảng Ngãi"),
    "hoian": (
        "Hộ kinh doanh Huỳnh Kim Thành",
        SellerKind.HOUSEHOLD,
        "Thành phố Đà Nẵng",
    ),
    "hue": ("HTX Làng nghề Phú Cam", SellerKind.COOPERATIVE, "Thành phố Huế"),
    "lucngan": ("Hộ kinh doanh Bùi Văn Mến", SellerKind.HOUSEHOLD, "Tỉnh Bắc Ninh"),
    "hoaloc": ("HTX Xoài Hòa Lộc", SellerKind.COOPERATIVE, "Tỉnh Đồng Tháp"),
}


@dataclass(frozen=True)
class Item:
    key: str
    seller: str
    title: str
    description: str
    category: str = FOOD
    unit: str = "gói"
    variants: tuple = (("500 g", 120_000, 20),)
    stars: int | None = None
    vietgap: bool = False


ITEMS = [
    Item(
        "nm-camthanh",
        "camthanh",
        "Nước mắm cá cơm Cẩm Thanh",
        "Nước mắm nhĩ ủ chượp 12 tháng trong thùng gỗ ở làng chài Cẩm Thanh, "
        "Hội An. Đạm 40 độ.",
        unit="chai",
        variants=(("500 ml", 95_000, 30), ("1 lít", 170_000, 12)),
        stars=4,
    ),
    Item(
        "nm-namo",
        "namo",
        "Nước mắm Nam Ô",
        "Nước mắm truyền thống làng Nam Ô, Đà Nẵng, cá cơm than ủ muối.",
        unit="chai",
        variants=(("500 ml", 85_000, 40),),
        stars=3,
    ),
    Item(
        "nm-phanthiet",
        "phanthiet",
        "Nước mắm Phan Thiết thượng hạng",
        "Nước mắm cá cơm Phan Thiết, đóng chai thủy tinh.",
        unit="chai",
        variants=(("750 ml", 110_000, 0),),
    ),
    Item(
        "mam-tom",
        "namo",
        "Mắm tôm chua Huế",
        "Mắm tôm chua ăn kèm thịt luộc, làm theo cách xứ Huế.",
        unit="hũ",
    ),
    Item(
        "banh-trang",
        "camthanh",
        "Bánh tráng nướng Cẩm Thanh",
        "Bánh tráng mè đen nướng than, giòn thơm.",
        variants=(("10 cái", 30_000, 50),),
    ),
    Item(
        "tour-camthanh",
        "hoian",
        "Tour thuyền thúng rừng dừa Bảy Mẫu",
        "Chèo thuyền thúng trong rừng dừa nước Cẩm Thanh, Hội An, có hướng dẫn viên.",
        category=TOURISM,
        unit="vé",
        variants=(("1 người", 150_000, 99),),
    ),
    Item(
        "dua-huongdao",
        "huongdao",
        "Dứa Hướng Đạo",
        "Dứa Queen trồng trên đồi xã Hướng Đạo, Phú Thọ, quả nhỏ, ngọt đậm.",
        unit="quả",
        variants=(("1 quả", 20_000, 200), ("5 quả", 90_000, 40)),
        stars=3,
        vietgap=True,
    ),
    Item(
        "dua-sap",
        "bentre",
        "Dừa sáp Cầu Kè",
        "Dừa sáp cơm dẻo, nước sánh đặc, đặc sản miền Tây.",
        unit="quả",
        variants=(("1 quả", 90_000, 15),),
        stars=4,
        vietgap=True,
    ),
    Item(
        "dua-xiem",
        "bentre",
        "Dừa xiêm xanh",
        "Dừa xiêm nước ngọt, gọt sẵn, giao trong ngày.",
        unit="quả",
        variants=(("1 quả", 25_000, 100),),
        vietgap=True,
    ),
    Item(
        "dua-luoi",
        "cantho",
        "Dưa lưới ruột cam",
        "Dưa lưới trồng nhà màng, ruột cam, giòn ngọt.",
        unit="quả",
        variants=(("1,5 kg", 60_000, 25),),
        vietgap=True,
    ),
    Item(
        "dua-hau",
        "cantho",
        "Dưa hấu Long An",
        "Dưa hấu đỏ ruột, vỏ mỏng.",
        unit="quả",
        variants=(("3 kg", 45_000, 10),),
    ),
    Item(
        "tra-sam-dua",
        "camthanh",
        "Trà sâm dứa",
        "Trà ướp lá dứa và sâm, pha nóng hoặc đá.",
        category=DRINK,
        unit="hộp",
    ),
    Item(
        "buoi-doanhung",
        "doanhung",
        "Bưởi Đoan Hùng",
        "Bưởi đặc sản Đoan Hùng, Phú Thọ, tép ráo, vị ngọt thanh.",
        unit="quả",
        variants=(("1 quả", 45_000, 60),),
        stars=4,
        vietgap=True,
    ),
    Item(
        "su-su",
        "doanhung",
        "Su su Tam Đảo",
        "Ngọn su su và quả su su sạch.",
        unit="kg",
        variants=(("1 kg", 25_000, 80),),
        vietgap=True,
    ),
    Item(
        "che-thainguyen",
        "thainguyen",
        "Chè Thái Nguyên",
        "Chè búp khô sao tay, nước xanh, vị chát dịu, hậu ngọt.",
        category=DRINK,
        variants=(("100 g", 40_000, 100), ("500 g", 190_000, 30)),
        stars=4,
        vietgap=True,
    ),
    Item(
        "che-tancuong",
        "tancuong",
        "Chè búp Tân Cương đặc biệt",
        "Chè móc câu vùng Tân Cương, Thái Nguyên.",
        category=DRINK,
        variants=(("200 g", 120_000, 50),),
        stars=5,
        vietgap=True,
    ),
    Item(
        "che-lam",
        "hue",
        "Chè lam gừng",
        "Bánh chè lam nếp, gừng và mạch nha, món quà quê.",
        unit="hộp",
    ),
    Item(
        "tra-cung-dinh",
        "hue",
        "Trà cung đình Huế",
        "Trà thảo mộc theo công thức cung đình: cỏ ngọt, hoa cúc, la hán.",
        category=DRINK,
        unit="hộp",
        stars=3,
    ),
    Item(
        "dong-trung",
        "thainguyen",
        "Đông trùng hạ thảo sấy thăng hoa",
        "Đông trùng hạ thảo nuôi cấy tại Thái Nguyên.",
        category=HERBAL,
        unit="hộp",
        variants=(("50 g", 1_800_000, 5),),
    ),
    Item(
        "mat-ong",
        "dongvan",
        "Mật ong bạc hà Đồng Văn",
        "Mật ong hoa bạc hà cao nguyên đá, ong nội khai thác mùa đông.",
        unit="chai",
        variants=(("500 ml", 450_000, 20), ("1 lít", 850_000, 6)),
        stars=4,
    ),
    Item(
        "sua-ong-chua",
        "dongvan",
        "Sữa ong chúa tươi",
        "Sữa ong chúa bảo quản lạnh, hũ thủy tinh.",
        unit="hũ",
        variants=(("100 g", 350_000, 8),),
    ),
    Item(
        "ong-hut",
        "hoian",
        "Ống hút cỏ bàng",
        "Ống hút làm từ cỏ bàng phơi khô, thay ống nhựa.",
        category=SOUVENIR,
        unit="bó",
    ),
    Item(
        "mat-na",
        "hoian",
        "Mặt nạ giấy bồi Hội An",
        "Mặt nạ giấy bồi vẽ tay, đồ lưu niệm.",
        category=SOUVENIR,
        unit="chiếc",
        variants=(("1 chiếc", 80_000, 30),),
    ),
    Item(
        "mut-gung",
        "hue",
        "Mứt gừng mật ong",
        "Mứt gừng sên với mật ong rừng, cay ấm.",
        unit="hộp",
    ),
    Item(
        "ca-phe",
        "daklak",
        "Cà phê rang xay Buôn Ma Thuột",
        "Cà phê Robusta rang mộc, xay sẵn pha phin.",
        category=DRINK,
        variants=(("250 g", 80_000, 70), ("500 g", 150_000, 40)),
        stars=4,
    ),
    Item(
        "ca-phe-chon",
        "daklak",
        "Cà phê chồn Đắk Lắk",
        "Cà phê chồn sơ chế thủ công.",
        category=DRINK,
        variants=(("250 g", 600_000, 4),),
    ),
    Item(
        "tieu-den",
        "daklak",
        "Hạt tiêu đen Đắk Lắk",
        "Tiêu đen phơi nắng, hạt chắc, cay nồng.",
        unit="hũ",
        vietgap=True,
    ),
    Item(
        "toi-lyson",
        "lyson",
        "Tỏi Lý Sơn",
        "Tỏi cô đơn Lý Sơn trồng trên cát núi lửa.",
        unit="túi",
        variants=(("500 g", 150_000, 35),),
        stars=4,
        vietgap=True,
    ),
    Item(
        "hanh-tim",
        "lyson",
        "Hành tím Lý Sơn",
        "Hành tím củ nhỏ, thơm.",
        unit="kg",
        variants=(("1 kg", 60_000, 20),),
    ),
    Item(
        "vai-thieu",
        "lucngan",
        "Vải thiều Lục Ngạn",
        "Vải thiều chín cây, cùi dày, hạt nhỏ, đặc sản Bắc Ninh.",
        unit="kg",
        variants=(("1 kg", 50_000, 0), ("3 kg", 140_000, 0)),
        vietgap=True,
    ),
    Item(
        "nhan-long",
        "lucngan",
        "Nhãn lồng Hưng Yên",
        "Nhãn lồng cùi dày, ngọt sắc.",
        unit="kg",
    ),
    Item(
        "xoai-hoaloc",
        "hoaloc",
        "Xoài cát Hòa Lộc",
        "Xoài cát Hòa Lộc chín tự nhiên, thơm, ngọt đậm, xuất xứ Đồng Tháp.",
        unit="kg",
        variants=(("1 kg", 70_000, 45), ("2 kg", 135_000, 20)),
        stars=5,
        vietgap=True,
    ),
    Item(
        "xoai-say",
        "hoaloc",
        "Xoài sấy dẻo",
        "Xoài cát sấy dẻo không đường.",
        variants=(("200 g", 65_000, 60),),
    ),
    Item(
        "gao-st25",
        "cantho",
        "Gạo ST25",
        "Gạo ST25 thơm dẻo, trồng theo quy trình VietGAP ở Sóc Trăng.",
        unit="túi",
        variants=(("5 kg", 190_000, 100),),
        stars=4,
        vietgap=True,
    ),
    Item(
        "buoi-namroi",
        "cantho",
        "Bưởi Năm Roi",
        "Bưởi Năm Roi ruột trắng, không hạt.",
        unit="quả",
        variants=(("1 quả", 35_000, 50),),
        vietgap=True,
    ),
    Item(
        "kho-ca-loc",
        "cantho",
        "Khô cá lóc một nắng",
        "Khô cá lóc đồng phơi một nắng, chiên hoặc nướng.",
        variants=(("500 g", 190_000, 12),),
    ),
    Item(
        "me-xung",
        "hue",
        "Mè xửng Huế",
        "Kẹo mè xửng dẻo, thơm mùi mè rang.",
        unit="hộp",
        stars=3,
    ),
    Item(
        "non-la",
        "hue",
        "Nón lá bài thơ",
        "Nón lá Huế có lồng bài thơ và tranh khi soi dưới nắng.",
        category=SOUVENIR,
        unit="chiếc",
        variants=(("1 chiếc", 150_000, 20),),
    ),
    Item(
        "den-long",
        "hoian",
        "Đèn lồng Hội An",
        "Đèn lồng lụa khung tre, gấp gọn được.",
        category=SOUVENIR,
        unit="chiếc",
        variants=(("1 chiếc", 120_000, 25),),
    ),
    Item(
        "khan-lua",
        "hoian",
        "Khăn lụa tơ tằm",
        "Khăn lụa tơ tằm dệt tay ở làng lụa Hội An.",
        category=TEXTILE,
        unit="chiếc",
        variants=(("1 chiếc", 350_000, 10),),
    ),
    Item(
        "sam-ngoc-linh",
        "lyson",
        "Sâm Ngọc Linh",
        "Củ sâm Ngọc Linh trồng dưới tán rừng.",
        category=HERBAL,
        unit="củ",
        variants=(("100 g", 2_500_000, 3),),
        stars=5,
    ),
    Item(
        "rau-tra-que",
        "camthanh",
        "Rau Trà Quế",
        "Rau thơm làng Trà Quế, Hội An, trồng bằng rong biển.",
        unit="bó",
        variants=(("300 g", 12_000, 40),),
        vietgap=True,
    ),
]

# Query -> keys of the relevant products, best first. The first key is the
# product a shopper would expect on top.
JUDGED = {
    # the four of the issue
    "nuoc mam cam thanh": ["nm-camthanh"],
    "dua huong dao": ["dua-huongdao"],
    "che thai nguyen": ["che-thainguyen", "che-tancuong"],
    "mat ong": ["mat-ong", "mut-gung"],
    # with diacritics
    "nước mắm": ["nm-camthanh", "nm-namo", "nm-phanthiet"],
    "dứa": ["dua-huongdao", "tra-sam-dua"],
    "dừa": ["dua-sap", "dua-xiem", "tour-camthanh"],
    "dưa": ["dua-luoi", "dua-hau"],
    "dưa lưới": ["dua-luoi"],
    "dừa sáp": ["dua-sap"],
    "mật ong bạc hà": ["mat-ong"],
    "chè búp": ["che-tancuong", "che-thainguyen"],
    "cà phê": ["ca-phe", "ca-phe-chon"],
    "xoài cát": ["xoai-hoaloc", "xoai-say"],
    "tỏi lý sơn": ["toi-lyson"],
    "sữa ong chúa": ["sua-ong-chua"],
    "mặt nạ": ["mat-na"],
    "ống hút": ["ong-hut"],
    # without diacritics
    "nuoc mam": ["nm-camthanh", "nm-namo", "nm-phanthiet"],
    "dua sap": ["dua-sap"],
    "dua luoi": ["dua-luoi"],
    "buoi doan hung": ["buoi-doanhung"],
    "ca phe buon ma thuot": ["ca-phe"],
    "xoai hoa loc": ["xoai-hoaloc"],
    "toi ly son": ["toi-lyson"],
    "vai thieu": ["vai-thieu"],
    "gao st25": ["gao-st25"],
    "khan lua": ["khan-lua"],
    "non la": ["non-la"],
    "den long hoi an": ["den-long"],
    "sam ngoc linh": ["sam-ngoc-linh"],
    "dong trung ha thao": ["dong-trung"],
    "banh trang": ["banh-trang"],
    "tra cung dinh": ["tra-cung-dinh"],
    # one-letter typos
    "nuoc mamm": ["nm-camthanh", "nm-namo", "nm-phanthiet"],
    "xoai hoa lok": ["xoai-hoaloc"],
    "buoi doan hunq": ["buoi-doanhung"],
    "ca phe buon ma thuat": ["ca-phe"],
    "mat ongg": ["mat-ong", "mut-gung"],
    # place names
    "hoi an": [
        "den-long",
        "mat-na",
        "khan-lua",
        "tour-camthanh",
        "nm-camthanh",
        "rau-tra-que",
        "ong-hut",
    ],
    "tan cuong": ["che-tancuong"],
    "phu tho": ["dua-huongdao", "buoi-doanhung"],
    "dong thap": ["xoai-hoaloc"],
    "luc ngan": ["vai-thieu"],
    # sellers
    "htx che tan cuong": ["che-tancuong"],
    "ong mat dong van": ["mat-ong", "sua-ong-chua"],
    "hai san mui ne": ["nm-phanthiet"],
    "vo minh nam": ["dua-luoi", "dua-hau", "gao-st25", "buoi-namroi", "kho-ca-loc"],
    # multi-word, natural phrasing
    "nuoc mam nhi": ["nm-camthanh"],
    "ca phe chon": ["ca-phe-chon"],
    "kho ca loc": ["kho-ca-loc"],
    "xoai say deo": ["xoai-say"],
    "tour thuyen thung": ["tour-camthanh"],
}


def _seller(key):
    name, kind, province = SELLERS[key]
    province_code = places.find_province(province)
    return SellerFactory(
        legal_name=name, kind=kind, province_code=province_code, ward_code=None
    )


def build_catalogue() -> dict:
    """Create every seller and product (live, with variants and stock) and
    return {item key: ProductPage}."""
    sellers = {key: _seller(key) for key in SELLERS}
    products = {}
    for item in ITEMS:
        product = product_create(
            seller=sellers[item.seller],
            title=item.title,
            description=f"<p>{item.description}</p>",
            category=item.category,
            unit=item.unit,
            variants=list(item.variants),
        )
        if item.stars:
            certification_create(product=product, stars=item.stars)
        if item.vietgap:
            certification_create(product=product, kind="vietgap", stars=None)
        product.refresh_from_db()
        products[item.key] = product
    return products


def reciprocal_rank(ranked: list[str], relevant: list[str]) -> float:
    for position, key in enumerate(ranked, start=1):
        if key in relevant:
            return 1.0 / position
    return 0.0


def recall_at(ranked: list[str], relevant: list[str], k: int = 5) -> float:
    wanted = set(relevant[:k])
    return len(wanted & set(ranked[:k])) / len(wanted)


def evaluate(search, judged=JUDGED) -> dict:
    """Run every judged query through `search(q) -> [keys ranked]`; return
    MRR, recall@5, the share of queries with the expected product first, and
    the per-query ranks."""
    rr, recall, first, ranks = [], [], [], {}
    for query, relevant in judged.items():
        ranked = search(query)
        rr.append(reciprocal_rank(ranked, relevant))
        recall.append(recall_at(ranked, relevant))
        first.append(bool(ranked) and ranked[0] == relevant[0])
        ranks[query] = ranked[:5]
    n = len(judged)
    return {
        "mrr": sum(rr) / n,
        "recall@5": sum(recall) / n,
        "top1": sum(first) / n,
        "ranks": ranks,
    }
