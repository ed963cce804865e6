// Which types binary COPY may carry between clusters, and the order types
// are created in: a wrong answer either fails the copy (a composite's
// binary form holds source OIDs) or fails CREATE TYPE (a dependency that
// does not exist yet).
#include <gtest/gtest.h>

#include <algorithm>

#include "catalog/user_type.hpp"

namespace tidemark::catalog {
namespace {

UserType make(std::uint32_t oid, std::string name, UserTypeKind kind) {
    UserType t;
    t.oid = oid;
    t.schema = "app";
    t.name = std::move(name);
    t.kind = kind;
    return t;
}

std::size_t position(const UserTypes& types, std::uint32_t oid) {
    auto& v = types.types();
    return static_cast<std::size_t>(std::find_if(v.begin(), v.end(), [&](const UserType& t) { return t.oid == oid; }) -
                                    v.begin());
}

UserTypes sample() {
    UserType pair = make(20005, "pair", UserTypeKind::composite);
    pair.attributes = {{"a", "app.posint", 20002, {}}, {"m", "app.mood[]", 20004, {}}};
    UserType mood_array = make(20004, "_mood", UserTypeKind::array);
    mood_array.element_oid = 20001;
    UserType posint = make(20002, "posint", UserTypeKind::domain);
    posint.base_type_oid = 23;
    UserType moodd = make(20003, "moodd", UserTypeKind::domain);
    moodd.base_type_oid = 20001;
    UserType range = make(20006, "moodrange", UserTypeKind::range);
    range.subtype_oid = 20003;
    UserType multirange = make(20007, "moodmultirange", UserTypeKind::multirange);
    multirange.element_oid = 20006;
    UserType ext = make(20008, "citext", UserTypeKind::base);
    ext.extension = "citext";
    UserType pair_domain = make(20009, "paird", UserTypeKind::domain);
    pair_domain.base_type_oid = 20005;
    // Dependents first, so the constructor has to reorder.
    return UserTypes({pair, pair_domain, mood_array, multirange, range, moodd, posint, ext,
                      make(20001, "mood", UserTypeKind::enumeration)});
}

TEST(IdpUserTypes, DependenciesComeFirst) {
    UserTypes types = sample();
    ASSERT_EQ(types.types().size(), 9u);
    EXPECT_LT(position(types, 20001), position(types, 20003));  // enum before its domain
    EXPECT_LT(position(types, 20001), position(types, 20004));  // element before its array
    EXPECT_LT(position(types, 20002), position(types, 20005));  // attribute types before the composite
    EXPECT_LT(position(types, 20004), position(types, 20005));
    EXPECT_LT(position(types, 20003), position(types, 20006));  // subtype before the range
    EXPECT_LT(position(types, 20005), position(types, 20009));
}

TEST(IdpUserTypes, BinarySafety) {
    UserTypes types = sample();
    EXPECT_TRUE(types.binary_safe(23));      // built-in
    EXPECT_TRUE(types.binary_safe(1007));    // int4[]: built-in array
    EXPECT_TRUE(types.binary_safe(20001));   // enum: sent as its label
    EXPECT_TRUE(types.binary_safe(20002));   // domain over int4
    EXPECT_TRUE(types.binary_safe(20003));   // domain over the enum
    EXPECT_TRUE(types.binary_safe(20006));   // range over that domain
    EXPECT_TRUE(types.binary_safe(20007));   // its multirange
    EXPECT_FALSE(types.binary_safe(20004));  // array of a user type: element OID inside
    EXPECT_FALSE(types.binary_safe(20005));  // composite: attribute OIDs inside
    EXPECT_FALSE(types.binary_safe(20009));  // domain over a composite
    EXPECT_FALSE(types.binary_safe(20008));  // extension type: its binary form may change
    EXPECT_FALSE(types.binary_safe(99999));  // unknown
}

TEST(IdpUserTypes, CycleIsAnError) {
    UserType a = make(20001, "a", UserTypeKind::domain);
    a.base_type_oid = 20002;
    UserType b = make(20002, "b", UserTypeKind::domain);
    b.base_type_oid = 20001;
    EXPECT_THROW(UserTypes({a, b}), std::runtime_error);
}

}  // namespace
}  // namespace tidemark::catalog
