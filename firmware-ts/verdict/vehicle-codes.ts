/**
 * The code tables behind a registration's `pc` (plate colour) and `vt` (vehicle type), so the
 * operator reads words, not codes, in both languages. Data only.
 *
 * Plate colours are the plate families of GA 36 (机动车号牌), keyed by the words issuers write:
 * the English words of the test authority ("blue") and the Chinese ones ("蓝", "蓝色"). Systems
 * differ on numeric colour codes, so none is guessed here. Vehicle types are the codes of GA 802
 * (机动车类型), as written in registration data (GA 24.4 field 车辆类型, e.g. "K33" 小型轿车).
 * A code missing here is shown as it came.
 * @module
 */

export interface Words {
  zh: string;
  en: string;
}

const colour = (zh: string, en: string, ...keys: string[]): [string, Words][] => keys.map((k) => [k, { zh, en }]);

/** Plate colour words by every spelling an issuer uses. */
export const PLATE_COLOURS: ReadonlyMap<string, Words> = new Map([
  ...colour('蓝牌', 'Blue plate', 'blue', '蓝', '蓝色', '蓝牌', '蓝底白字'),
  ...colour('黄牌', 'Yellow plate', 'yellow', '黄', '黄色', '黄牌', '黄底黑字'),
  ...colour('白牌', 'White plate', 'white', '白', '白色', '白牌', '白底黑字'),
  ...colour('黑牌', 'Black plate', 'black', '黑', '黑色', '黑牌', '黑底白字'),
  ...colour('渐变绿牌（小型新能源）', 'Green plate (small new-energy)', 'green', 'gradient-green', '绿', '绿色', '渐变绿', '渐变绿色'),
  ...colour('黄绿双拼牌（大型新能源）', 'Yellow-green plate (large new-energy)', 'yellow-green', '黄绿', '黄绿色', '黄绿双拼', '黄绿双拼色'),
]);

/** GA 802 vehicle type codes. */
export const VEHICLE_TYPES: ReadonlyMap<string, Words> = new Map(
  Object.entries({
    K10: { zh: '大型客车', en: 'Large bus' },
    K11: { zh: '大型普通客车', en: 'Large ordinary bus' },
    K12: { zh: '大型双层客车', en: 'Large double-deck bus' },
    K13: { zh: '大型卧铺客车', en: 'Large sleeper bus' },
    K14: { zh: '大型铰接客车', en: 'Large articulated bus' },
    K15: { zh: '大型越野客车', en: 'Large off-road bus' },
    K16: { zh: '大型轿车', en: 'Large sedan' },
    K17: { zh: '大型专用客车', en: 'Large special-purpose bus' },
    K18: { zh: '大型专用校车', en: 'Large school bus' },
    K20: { zh: '中型客车', en: 'Medium bus' },
    K21: { zh: '中型普通客车', en: 'Medium ordinary bus' },
    K22: { zh: '中型双层客车', en: 'Medium double-deck bus' },
    K23: { zh: '中型卧铺客车', en: 'Medium sleeper bus' },
    K24: { zh: '中型铰接客车', en: 'Medium articulated bus' },
    K25: { zh: '中型越野客车', en: 'Medium off-road bus' },
    K26: { zh: '中型轿车', en: 'Medium sedan' },
    K27: { zh: '中型专用客车', en: 'Medium special-purpose bus' },
    K28: { zh: '中型专用校车', en: 'Medium school bus' },
    K30: { zh: '小型客车', en: 'Small passenger car' },
    K31: { zh: '小型普通客车', en: 'Small ordinary passenger car' },
    K32: { zh: '小型越野客车', en: 'Small off-road passenger car' },
    K33: { zh: '小型轿车', en: 'Small sedan' },
    K34: { zh: '小型专用客车', en: 'Small special-purpose passenger car' },
    K38: { zh: '小型专用校车', en: 'Small school bus' },
    K40: { zh: '微型客车', en: 'Mini passenger car' },
    K41: { zh: '微型普通客车', en: 'Mini ordinary passenger car' },
    K42: { zh: '微型越野客车', en: 'Mini off-road passenger car' },
    K43: { zh: '微型轿车', en: 'Mini sedan' },
    H10: { zh: '重型货车', en: 'Heavy truck' },
    H11: { zh: '重型普通货车', en: 'Heavy ordinary truck' },
    H12: { zh: '重型厢式货车', en: 'Heavy box truck' },
    H13: { zh: '重型封闭货车', en: 'Heavy closed truck' },
    H14: { zh: '重型罐式货车', en: 'Heavy tank truck' },
    H15: { zh: '重型平板货车', en: 'Heavy flatbed truck' },
    H16: { zh: '重型集装厢车', en: 'Heavy container truck' },
    H17: { zh: '重型自卸货车', en: 'Heavy dump truck' },
    H18: { zh: '重型特殊结构货车', en: 'Heavy special-structure truck' },
    H19: { zh: '重型仓栅式货车', en: 'Heavy stake truck' },
    H20: { zh: '中型货车', en: 'Medium truck' },
    H21: { zh: '中型普通货车', en: 'Medium ordinary truck' },
    H22: { zh: '中型厢式货车', en: 'Medium box truck' },
    H23: { zh: '中型封闭货车', en: 'Medium closed truck' },
    H24: { zh: '中型罐式货车', en: 'Medium tank truck' },
    H25: { zh: '中型平板货车', en: 'Medium flatbed truck' },
    H26: { zh: '中型集装厢车', en: 'Medium container truck' },
    H27: { zh: '中型自卸货车', en: 'Medium dump truck' },
    H28: { zh: '中型特殊结构货车', en: 'Medium special-structure truck' },
    H29: { zh: '中型仓栅式货车', en: 'Medium stake truck' },
    H30: { zh: '轻型货车', en: 'Light truck' },
    H31: { zh: '轻型普通货车', en: 'Light ordinary truck' },
    H32: { zh: '轻型厢式货车', en: 'Light box truck' },
    H33: { zh: '轻型封闭货车', en: 'Light closed truck' },
    H34: { zh: '轻型罐式货车', en: 'Light tank truck' },
    H35: { zh: '轻型平板货车', en: 'Light flatbed truck' },
    H37: { zh: '轻型自卸货车', en: 'Light dump truck' },
    H38: { zh: '轻型特殊结构货车', en: 'Light special-structure truck' },
    H39: { zh: '轻型仓栅式货车', en: 'Light stake truck' },
    H40: { zh: '微型货车', en: 'Mini truck' },
    H41: { zh: '微型普通货车', en: 'Mini ordinary truck' },
    H42: { zh: '微型厢式货车', en: 'Mini box truck' },
    H43: { zh: '微型封闭货车', en: 'Mini closed truck' },
    H44: { zh: '微型罐式货车', en: 'Mini tank truck' },
    H45: { zh: '微型自卸货车', en: 'Mini dump truck' },
    H46: { zh: '微型特殊结构货车', en: 'Mini special-structure truck' },
    H47: { zh: '微型仓栅式货车', en: 'Mini stake truck' },
    H50: { zh: '低速货车', en: 'Low-speed truck' },
    H51: { zh: '普通低速货车', en: 'Ordinary low-speed truck' },
    H52: { zh: '厢式低速货车', en: 'Low-speed box truck' },
    H53: { zh: '罐式低速货车', en: 'Low-speed tank truck' },
    H54: { zh: '自卸低速货车', en: 'Low-speed dump truck' },
    H55: { zh: '仓栅式低速货车', en: 'Low-speed stake truck' },
    Q10: { zh: '重型牵引车', en: 'Heavy tractor unit' },
    Q11: { zh: '重型半挂牵引车', en: 'Heavy semi-trailer tractor' },
    Q20: { zh: '中型牵引车', en: 'Medium tractor unit' },
    Q21: { zh: '中型半挂牵引车', en: 'Medium semi-trailer tractor' },
    Q30: { zh: '轻型牵引车', en: 'Light tractor unit' },
    Q31: { zh: '轻型半挂牵引车', en: 'Light semi-trailer tractor' },
    Z11: { zh: '大型专项作业车', en: 'Large special-operation vehicle' },
    Z21: { zh: '中型专项作业车', en: 'Medium special-operation vehicle' },
    Z31: { zh: '小型专项作业车', en: 'Small special-operation vehicle' },
    Z41: { zh: '微型专项作业车', en: 'Mini special-operation vehicle' },
    Z51: { zh: '重型专项作业车', en: 'Heavy special-operation vehicle' },
    Z71: { zh: '轻型专项作业车', en: 'Light special-operation vehicle' },
    D11: { zh: '无轨电车', en: 'Trolleybus' },
    D12: { zh: '有轨电车', en: 'Tram' },
    M11: { zh: '普通正三轮摩托车', en: 'Ordinary three-wheel motorcycle' },
    M12: { zh: '轻便正三轮摩托车', en: 'Light three-wheel motorcycle' },
    M13: { zh: '正三轮载客摩托车', en: 'Three-wheel passenger motorcycle' },
    M14: { zh: '正三轮载货摩托车', en: 'Three-wheel cargo motorcycle' },
    M15: { zh: '侧三轮摩托车', en: 'Sidecar motorcycle' },
    M21: { zh: '普通二轮摩托车', en: 'Ordinary two-wheel motorcycle' },
    M22: { zh: '轻便二轮摩托车', en: 'Light two-wheel motorcycle' },
    N11: { zh: '三轮汽车', en: 'Three-wheel vehicle' },
    T11: { zh: '大型轮式拖拉机', en: 'Large wheeled tractor' },
    T21: { zh: '小型轮式拖拉机', en: 'Small wheeled tractor' },
    T22: { zh: '手扶拖拉机', en: 'Walking tractor' },
    T23: { zh: '手扶变形运输机', en: 'Walking-tractor transporter' },
    J11: { zh: '轮式装载机械', en: 'Wheeled loader' },
    J12: { zh: '轮式挖掘机械', en: 'Wheeled excavator' },
    J13: { zh: '轮式平地机械', en: 'Wheeled grader' },
    B11: { zh: '重型普通半挂车', en: 'Heavy ordinary semi-trailer' },
    B21: { zh: '中型普通半挂车', en: 'Medium ordinary semi-trailer' },
    B31: { zh: '轻型普通半挂车', en: 'Light ordinary semi-trailer' },
    G11: { zh: '重型普通全挂车', en: 'Heavy ordinary full trailer' },
    G21: { zh: '中型普通全挂车', en: 'Medium ordinary full trailer' },
    G31: { zh: '轻型普通全挂车', en: 'Light ordinary full trailer' },
    X99: { zh: '其他', en: 'Other' },
  }),
);

/** Words for a plate colour as an issuer spelled it, or null for a spelling not in the table. */
export function plateColourWords(value: string): Words | null {
  return PLATE_COLOURS.get(value.trim().toLowerCase()) ?? PLATE_COLOURS.get(value.trim()) ?? null;
}

/** Words for a GA 802 vehicle type code, or null for a code not in the table. */
export function vehicleTypeWords(code: string): Words | null {
  return VEHICLE_TYPES.get(code.trim().toUpperCase()) ?? null;
}
