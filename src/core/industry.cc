#include "core/industry.h"

#include "core/identifiers.h"

namespace xinyong::industry {

namespace {

// GB/T 4754-2017, 表1 国民经济行业分类和代码: sections and divisions.
constexpr Division kA[] = {{"01", "农业"},
                           {"02", "林业"},
                           {"03", "畜牧业"},
                           {"04", "渔业"},
                           {"05", "农、林、牧、渔专业及辅助性活动"}};
constexpr Division kB[] = {{"06", "煤炭开采和洗选业"}, {"07", "石油和天然气开采业"},
                           {"08", "黑色金属矿采选业"}, {"09", "有色金属矿采选业"},
                           {"10", "非金属矿采选业"},   {"11", "开采专业及辅助性活动"},
                           {"12", "其他采矿业"}};
constexpr Division kC[] = {
    {"13", "农副食品加工业"},
    {"14", "食品制造业"},
    {"15", "酒、饮料和精制茶制造业"},
    {"16", "烟草制品业"},
    {"17", "纺织业"},
    {"18", "纺织服装、服饰业"},
    {"19", "皮革、毛皮、羽毛及其制品和制鞋业"},
    {"20", "木材加工和木、竹、藤、棕、草制品业"},
    {"21", "家具制造业"},
    {"22", "造纸和纸制品业"},
    {"23", "印刷和记录媒介复制业"},
    {"24", "文教、工美、体育和娱乐用品制造业"},
    {"25", "石油、煤炭及其他燃料加工业"},
    {"26", "化学原料和化学制品制造业"},
    {"27", "医药制造业"},
    {"28", "化学纤维制造业"},
    {"29", "橡胶和塑料制品业"},
    {"30", "非金属矿物制品业"},
    {"31", "黑色金属冶炼和压延加工业"},
    {"32", "有色金属冶炼和压延加工业"},
    {"33", "金属制品业"},
    {"34", "通用设备制造业"},
    {"35", "专用设备制造业"},
    {"36", "汽车制造业"},
    {"37", "铁路、船舶、航空航天和其他运输设备制造业"},
    {"38", "电气机械和器材制造业"},
    {"39", "计算机、通信和其他电子设备制造业"},
    {"40", "仪器仪表制造业"},
    {"41", "其他制造业"},
    {"42", "废弃资源综合利用业"},
    {"43", "金属制品、机械和设备修理业"},
};
constexpr Division kD[] = {
    {"44", "电力、热力生产和供应业"}, {"45", "燃气生产和供应业"}, {"46", "水的生产和供应业"}};
constexpr Division kE[] = {{"47", "房屋建筑业"},
                           {"48", "土木工程建筑业"},
                           {"49", "建筑安装业"},
                           {"50", "建筑装饰、装修和其他建筑业"}};
constexpr Division kF[] = {{"51", "批发业"}, {"52", "零售业"}};
constexpr Division kG[] = {{"53", "铁路运输业"},       {"54", "道路运输业"},
                           {"55", "水上运输业"},       {"56", "航空运输业"},
                           {"57", "管道运输业"},       {"58", "多式联运和运输代理业"},
                           {"59", "装卸搬运和仓储业"}, {"60", "邮政业"}};
constexpr Division kH[] = {{"61", "住宿业"}, {"62", "餐饮业"}};
constexpr Division kI[] = {{"63", "电信、广播电视和卫星传输服务"},
                           {"64", "互联网和相关服务"},
                           {"65", "软件和信息技术服务业"}};
constexpr Division kJ[] = {
    {"66", "货币金融服务"}, {"67", "资本市场服务"}, {"68", "保险业"}, {"69", "其他金融业"}};
constexpr Division kK[] = {{"70", "房地产业"}};
constexpr Division kL[] = {{"71", "租赁业"}, {"72", "商务服务业"}};
constexpr Division kM[] = {
    {"73", "研究和试验发展"}, {"74", "专业技术服务业"}, {"75", "科技推广和应用服务业"}};
constexpr Division kN[] = {{"76", "水利管理业"},
                           {"77", "生态保护和环境治理业"},
                           {"78", "公共设施管理业"},
                           {"79", "土地管理业"}};
constexpr Division kO[] = {
    {"80", "居民服务业"}, {"81", "机动车、电子产品和日用产品修理业"}, {"82", "其他服务业"}};
constexpr Division kP[] = {{"83", "教育"}};
constexpr Division kQ[] = {{"84", "卫生"}, {"85", "社会工作"}};
constexpr Division kR[] = {{"86", "新闻和出版业"},
                           {"87", "广播、电视、电影和录音制作业"},
                           {"88", "文化艺术业"},
                           {"89", "体育"},
                           {"90", "娱乐业"}};
constexpr Division kS[] = {{"91", "中国共产党机关"},
                           {"92", "国家机构"},
                           {"93", "人民政协、民主党派"},
                           {"94", "社会保障"},
                           {"95", "群众团体、社会团体和其他成员组织"},
                           {"96", "基层群众自治组织及其他组织"}};
constexpr Division kT[] = {{"97", "国际组织"}};

constexpr Section kSections[] = {
    {'A', "农、林、牧、渔业", kA},
    {'B', "采矿业", kB},
    {'C', "制造业", kC},
    {'D', "电力、热力、燃气及水生产和供应业", kD},
    {'E', "建筑业", kE},
    {'F', "批发和零售业", kF},
    {'G', "交通运输、仓储和邮政业", kG},
    {'H', "住宿和餐饮业", kH},
    {'I', "信息传输、软件和信息技术服务业", kI},
    {'J', "金融业", kJ},
    {'K', "房地产业", kK},
    {'L', "租赁和商务服务业", kL},
    {'M', "科学研究和技术服务业", kM},
    {'N', "水利、环境和公共设施管理业", kN},
    {'O', "居民服务、修理和其他服务业", kO},
    {'P', "教育", kP},
    {'Q', "卫生和社会工作", kQ},
    {'R', "文化、体育和娱乐业", kR},
    {'S', "公共管理、社会保障和社会组织", kS},
    {'T', "国际组织", kT},
};

const Section* FindSection(char letter) {
  for (const Section& s : kSections) {
    if (s.letter == letter) return &s;
  }
  return nullptr;
}

// The section holding division `code` (2 digits), or nullptr.
const Section* SectionOfDivision(std::string_view code) {
  for (const Section& s : kSections) {
    for (const Division& d : s.divisions) {
      if (d.code == code) return &s;
    }
  }
  return nullptr;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (c < '0' || c > '9') return false;
  }
  return !s.empty();
}

Status Invalid(std::string_view input, const std::string& reason) {
  return Status::InvalidArgument("'" + ident::ShowMasked(input, 40) + "' " + reason);
}

}  // namespace

std::span<const Section> Sections() { return kSections; }

Result<std::string> ParseIndustryCode(std::string_view input) {
  // A section's or division's name, as some registers export the industry.
  for (const Section& s : kSections) {
    if (input == s.name) return std::string(1, s.letter);
    for (const Division& d : s.divisions) {
      if (input == d.name) return std::string(1, s.letter) + std::string(d.code);
    }
  }
  const std::string code = ident::NormalizeCodeInput(input);
  if (code.empty()) return Invalid(input, "is not an industry code (GB/T 4754-2017)");
  std::string_view digits = code;
  const Section* section = nullptr;
  if (code[0] >= 'A' && code[0] <= 'Z') {
    section = FindSection(code[0]);
    if (section == nullptr) {
      return Invalid(code, "is not an industry code: GB/T 4754-2017 sections are A to T");
    }
    digits.remove_prefix(1);
    if (digits.empty()) return std::string(1, section->letter);
  }
  if (!AllDigits(digits) || digits.size() < 2 || digits.size() > 4) {
    return Invalid(code,
                   "is not an industry code: give a GB/T 4754-2017 section letter (A-T), "
                   "optionally with its 2-digit division (C13)");
  }
  const std::string_view division = digits.substr(0, 2);
  const Section* owner = SectionOfDivision(division);
  if (owner == nullptr) {
    return Invalid(code, "names division " + std::string(division) +
                             ", which GB/T 4754-2017 does not have (divisions are 01 to 97)");
  }
  if (section != nullptr && section != owner) {
    return Invalid(code, "puts division " + std::string(division) + " under section " +
                             std::string(1, section->letter) + ", but it belongs to section " +
                             std::string(1, owner->letter) + " (" + std::string(owner->name) + ")");
  }
  return std::string(1, owner->letter) + std::string(division);
}

std::string_view IndustryName(std::string_view code) {
  if (code.empty()) return {};
  const Section* s = FindSection(code[0]);
  if (s == nullptr) return {};
  if (code.size() == 1) return s->name;
  for (const Division& d : s->divisions) {
    if (code.substr(1) == d.code) return d.name;
  }
  return {};
}

bool InIndustryScope(std::string_view code, std::string_view scope) {
  return scope.empty() || code.starts_with(scope);
}

}  // namespace xinyong::industry
