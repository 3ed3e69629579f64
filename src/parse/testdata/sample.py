"""Sample module for the golden test."""
import os
from collections import OrderedDict

MAX_ITEMS = 100


class Greeter:
    """Greets people by name, politely and repeatedly."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.count = 0

    def greet(self, punctuation: str = "!") -> str:
        self.count += 1
        return "Hello, " + self.name + punctuation


@staticmethod
def decorated_helper(value):
    return [v * 2 for v in range(value) if v % 3 == 0]


def long_function(data):
    value_0 = data.get('key_0', 0) * 2
    value_1 = data.get('key_1', 1) * 2
    value_2 = data.get('key_2', 2) * 2
    value_3 = data.get('key_3', 3) * 2
    value_4 = data.get('key_4', 4) * 2
    value_5 = data.get('key_5', 5) * 2
    value_6 = data.get('key_6', 6) * 2
    value_7 = data.get('key_7', 7) * 2
    value_8 = data.get('key_8', 8) * 2
    value_9 = data.get('key_9', 9) * 2
    value_10 = data.get('key_10', 10) * 2
    value_11 = data.get('key_11', 11) * 2
    value_12 = data.get('key_12', 12) * 2
    value_13 = data.get('key_13', 13) * 2
    value_14 = data.get('key_14', 14) * 2
    value_15 = data.get('key_15', 15) * 2
    value_16 = data.get('key_16', 16) * 2
    value_17 = data.get('key_17', 17) * 2
    value_18 = data.get('key_18', 18) * 2
    value_19 = data.get('key_19', 19) * 2
    value_20 = data.get('key_20', 20) * 2
    value_21 = data.get('key_21', 21) * 2
    value_22 = data.get('key_22', 22) * 2
    value_23 = data.get('key_23', 23) * 2
    value_24 = data.get('key_24', 24) * 2
    value_25 = data.get('key_25', 25) * 2
    value_26 = data.get('key_26', 26) * 2
    value_27 = data.get('key_27', 27) * 2
    value_28 = data.get('key_28', 28) * 2
    value_29 = data.get('key_29', 29) * 2
    value_30 = data.get('key_30', 30) * 2
    value_31 = data.get('key_31', 31) * 2
    value_32 = data.get('key_32', 32) * 2
    value_33 = data.get('key_33', 33) * 2
    value_34 = data.get('key_34', 34) * 2
    value_35 = data.get('key_35', 35) * 2
    value_36 = data.get('key_36', 36) * 2
    value_37 = data.get('key_37', 37) * 2
    value_38 = data.get('key_38', 38) * 2
    value_39 = data.get('key_39', 39) * 2
    value_40 = data.get('key_40', 40) * 2
    value_41 = data.get('key_41', 41) * 2
    value_42 = data.get('key_42', 42) * 2
    value_43 = data.get('key_43', 43) * 2
    value_44 = data.get('key_44', 44) * 2
    value_45 = data.get('key_45', 45) * 2
    value_46 = data.get('key_46', 46) * 2
    value_47 = data.get('key_47', 47) * 2
    value_48 = data.get('key_48', 48) * 2
    value_49 = data.get('key_49', 49) * 2
    value_50 = data.get('key_50', 50) * 2
    value_51 = data.get('key_51', 51) * 2
    value_52 = data.get('key_52', 52) * 2
    value_53 = data.get('key_53', 53) * 2
    value_54 = data.get('key_54', 54) * 2
    value_55 = data.get('key_55', 55) * 2
    value_56 = data.get('key_56', 56) * 2
    value_57 = data.get('key_57', 57) * 2
    value_58 = data.get('key_58', 58) * 2
    value_59 = data.get('key_59', 59) * 2
    return data


squares = [x * x for x in range(1000) if x % 7 == 0 and x % 11 != 0]
