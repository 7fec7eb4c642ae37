#include "manifest/node.h"

#include <gtest/gtest.h>

namespace nodrop::manifest {
namespace {

TEST(Node, ACopyOwnsItsChildren) {
  Node original = Node::mapping();
  Node list = Node::sequence();
  list.push(Node::integer(1));
  original.set("list", std::move(list));
  Node copy = original;
  copy.entries()[0].value.push(Node::integer(2));
  copy.set("added", Node::boolean(true));
  EXPECT_EQ(original.find("list")->items().size(), 1U);
  EXPECT_EQ(original.find("added"), nullptr);
  EXPECT_EQ(copy.find("list")->items().size(), 2U);
  original = copy;
  EXPECT_EQ(original.find("list")->items()[1].int_value(), 2);
}

TEST(Node, ScalarAccessorsOfAnotherTypeGiveZeroValues) {
  const Node number = Node::floating(2.5, "2.5");
  EXPECT_EQ(number.float_value(), 2.5);
  EXPECT_EQ(number.int_value(), 0);
  EXPECT_FALSE(number.bool_value());
  EXPECT_EQ(Node::integer(7).float_value(), 0.0);
  EXPECT_TRUE(Node::string("x").items().empty());
  EXPECT_TRUE(Node::sequence().entries().empty());
}

}  // namespace
}  // namespace nodrop::manifest
