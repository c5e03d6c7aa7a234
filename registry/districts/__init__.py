"""The districts and counties, and the industry regulators: campaigns of their own, cascaded from the city's."""
