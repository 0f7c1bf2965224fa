"""The component package and the policy pack over the wire: started as the Pulumi CLI starts them, driven as the engine drives them."""
